package io.reprise.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.NavigableMap;
import java.util.stream.Stream;

/**
 * Cuts the journal at a corrupt entry, the way {@code redis-check-aof --fix} cuts an AOF: the entry and
 * everything after it go, and what comes before stays as it was. Nothing is lost without a copy: the
 * files the cut touches are first copied, byte for byte, to {@code <data>/journal-cut-<time>/}.
 *
 * <p>How the cut is made on Chronicle's files. A position is {@code cycle << 32 | sequence}, one file
 * per cycle (day). Chronicle keeps an index inside each file (arrays of entry offsets, written among
 * the entries) and a header that points at the last entry; cutting bytes out of a file in place would
 * leave those pointing past the cut, and the next append would write over index arrays still in use.
 * So the file is not edited: the entries of the cut day that come before {@code position} are copied,
 * through Chronicle's own appender, into a new file for the same day (same cycle, so the same
 * positions, each checked), which then replaces the old one with an atomic rename. The files of later
 * days are deleted. Chronicle rebuilds its directory listing ({@code metadata.cq4t}) from the files
 * when the journal is next opened, and the next append continues at {@code position}.
 *
 * <p>Order, so that a crash during the repair never leaves entries from after the cut in the journal:
 * copy everything and fsync, build the new file and fsync it, delete later days (newest first), swap
 * the cut day's file, fsync the directory. A crash before the swap leaves the corrupt entry in place,
 * and the repair can simply be run again.
 *
 * <p>The journal must not be open: in this JVM that is checked; across processes it is the caller's
 * single-writer lock on the data directory that guarantees it.
 */
public final class JournalRepair {

    private static final System.Logger LOG = System.getLogger("io.reprise.journal");
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** The prefix of the directories that hold what a truncation cut: {@code journal-cut-<time>}. */
    public static final String CUT_DIRECTORY_PREFIX = "journal-cut-";

    static {
        ChronicleEnvironment.prepare();
    }

    private JournalRepair() {
        throw new AssertionError("not instantiable");
    }

    /**
     * Truncates the journal so that it ends right before {@code position}, after copying the files that
     * change to {@code <journalDir>/../journal-cut-<time>/}.
     *
     * @param journalDir the journal directory, {@code <data>/journal}; the journal must not be open
     * @param position   the first position to remove, usually the one a {@link JournalCorruptException} names
     * @return what was copied, removed and rewritten
     * @throws JournalException if {@code position} is not in the journal, an entry before it is damaged
     *                          too (the message names the position to truncate at instead), or the
     *                          journal is open in this JVM; the journal is unchanged
     * @throws IOException      if files cannot be copied, written or deleted
     */
    public static JournalTruncation truncateAt(Path journalDir, long position) throws IOException {
        Path dir = journalDir.toAbsolutePath().normalize().toRealPath();
        if (Journal.isOpenInThisJvm(dir)) {
            throw new JournalException("The journal in " + dir + " is open in this JVM; close it before truncating it.");
        }
        NavigableMap<Integer, Path> files = QueueFormat.cycleFiles(dir);
        int cycle = QueueFormat.cycleOf(position);
        if (position < 0 || !files.containsKey(cycle)) {
            throw new JournalException("Position " + position + " is not in the journal in " + dir + ": no journal"
                    + " file holds its day" + (position < 0 ? "" : " (" + QueueFormat.fileName(cycle) + ")")
                    + ". Nothing was changed.");
        }
        Path data = dir.getParent();
        String stamp = STAMP.format(Instant.now());
        Path work = data.resolve(".journal-repair-" + stamp);
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            StaleWriteLocks.release(dir, LOG);
            deleteRecursively(work);
            PrivateFiles.createDirectory(work); // before Chronicle makes it with the umask's mode: it holds entries
            long lastKept = rebuildCutDay(dir, work, position);
            Path rebuilt = QueueFormat.sequenceOf(position) == 0 ? null : work.resolve(QueueFormat.fileName(cycle));
            if (rebuilt != null) {
                force(rebuilt);
            }

            Path copyDirectory = createCutDirectory(data, stamp);
            List<Path> copies = new ArrayList<>();
            for (Path file : files.tailMap(cycle, true).values()) {
                Path copy = copyDirectory.resolve(file.getFileName());
                Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                force(copy);
                copies.add(copy);
            }
            writeReadme(copyDirectory, dir, position, lastKept, copies);
            fsyncDirectory(copyDirectory);
            fsyncDirectory(data);

            List<Path> removed = new ArrayList<>();
            for (Path later : files.tailMap(cycle, false).descendingMap().values()) {
                Files.delete(later);
                removed.add(later);
            }
            Path cutDay = files.get(cycle);
            if (rebuilt == null) {
                Files.delete(cutDay);
                removed.add(cutDay);
            } else {
                Files.move(rebuilt, cutDay, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            fsyncDirectory(dir);
            deleteRecursively(work);
            removed.sort(Comparator.naturalOrder());

            checkEndsBefore(dir, position, lastKept, copyDirectory);
            JournalTruncation result = new JournalTruncation(position, lastKept, copyDirectory, copies, removed,
                    rebuilt == null ? null : cutDay);
            LOG.log(Level.WARNING, () -> "Journal in " + dir + " truncated at position " + position + ": that entry"
                    + " and every later one are removed, the journal now ends at "
                    + (lastKept == Journal.NO_POSITION ? "no entry (it is empty)" : "position " + lastKept)
                    + ". The files the cut touched were copied first to " + copyDirectory + ".");
            return result;
        } catch (IOException | RuntimeException e) {
            deleteQuietly(work);
            throw e;
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /**
     * Copies the entries of the cut day before {@code position} into a new queue in {@code work} whose
     * clock stands in that day, verifying each. Returns the last position kept (anywhere in the journal).
     */
    private static long rebuildCutDay(Path dir, Path work, long position) {
        int cycle = QueueFormat.cycleOf(position);
        long sequence = QueueFormat.sequenceOf(position);
        try (SingleChronicleQueue source = QueueFormat.builder(dir, null, true).build()) {
            long last = source.lastIndex();
            if (position > last) {
                throw new JournalException("The journal in " + dir + " ends at position " + last + "; there is no"
                        + " entry at or after position " + position + " to cut. Nothing was changed.");
            }
            if (sequence == 0) {
                return lastPositionBefore(source, cycle);
            }
            SetTimeProvider clock = new SetTimeProvider(Instant.ofEpochMilli(QueueFormat.cycleStartMillis(cycle)));
            try (ExcerptTailer tailer = source.createTailer();
                 SingleChronicleQueue target = QueueFormat.builder(work, clock, false).build();
                 ExcerptAppender appender = target.createAppender()) {
                long first = QueueFormat.position(cycle, 0);
                if (!tailer.moveToIndex(first)) {
                    throw new JournalException("The first entry of " + QueueFormat.fileName(cycle) + " in " + dir
                            + " cannot be found; truncate at position " + first + ". Nothing was changed.");
                }
                EntryCodec codec = new EntryCodec(Integer.MAX_VALUE - 8);
                Path file = dir.resolve(QueueFormat.fileName(cycle));
                long expected = first;
                while (expected < position) {
                    try (DocumentContext in = tailer.readingDocument()) {
                        if (!in.isPresent() || in.index() != expected) {
                            throw new JournalException("The journal in " + dir + " cannot be read past position "
                                    + (expected - 1) + ", before position " + position + "; truncate at position "
                                    + expected + " instead. Nothing was changed.");
                        }
                        Bytes<?> bytes = in.wire().bytes();
                        int length = (int) bytes.readRemaining();
                        byte[] buffer = codec.readBuffer(length);
                        bytes.read(buffer, 0, length);
                        try {
                            codec.decode(buffer, length, expected, file);
                        } catch (JournalCorruptException e) {
                            throw new JournalException("The journal entry at position " + expected + ", before position "
                                    + position + ", is damaged too: truncate at position " + expected + " instead."
                                    + " Nothing was changed. (" + e.getMessage() + ")", e);
                        }
                        try (DocumentContext out = appender.writingDocument()) {
                            out.wire().bytes().write(buffer, 0, length);
                        }
                        if (appender.lastIndexAppended() != expected) {
                            throw new JournalException("Rebuilding " + QueueFormat.fileName(cycle) + " put the entry of"
                                    + " position " + expected + " at " + appender.lastIndexAppended() + "; nothing"
                                    + " was changed in " + dir + ".");
                        }
                    }
                    expected++;
                }
                return position - 1;
            }
        }
    }

    /** The last position in the cycles before {@code cycle}, or NO_POSITION. */
    private static long lastPositionBefore(SingleChronicleQueue source, int cycle) {
        long last = Journal.NO_POSITION;
        int first = source.firstCycle();
        if (first > cycle - 1) {
            return last;
        }
        try (ExcerptTailer tailer = source.createTailer()) {
            for (long c : source.listCyclesBetween(first, cycle - 1)) {
                long count = tailer.excerptsInCycle((int) c);
                if (count > 0) {
                    last = QueueFormat.position((int) c, count - 1);
                }
            }
        }
        return last;
    }

    /** Reopens the journal read-only and checks that it now ends where the cut says. */
    private static void checkEndsBefore(Path dir, long position, long lastKept, Path copyDirectory) {
        try (SingleChronicleQueue queue = QueueFormat.builder(dir, null, true).build()) {
            long last = queue.lastIndex();
            if (last >= position || (lastKept != Journal.NO_POSITION && last != lastKept)) {
                throw new JournalException("After truncating the journal in " + dir + " at position " + position
                        + " it ends at position " + last + " instead of " + lastKept + ". The files as they were are"
                        + " in " + copyDirectory + "; copy them back before starting the service.");
            }
        }
    }

    private static Path createCutDirectory(Path data, String stamp) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Path candidate = data.resolve(CUT_DIRECTORY_PREFIX + stamp + (attempt == 1 ? "" : "-" + attempt));
            try {
                return PrivateFiles.createDirectory(candidate); // the copies are as secret as the journal
            } catch (FileAlreadyExistsException e) {
                if (attempt == 100) {
                    throw e;
                }
            }
        }
    }

    private static void writeReadme(Path copyDirectory, Path dir, long position, long lastKept, List<Path> copies)
            throws IOException {
        StringBuilder text = new StringBuilder()
                .append("Reprise journal truncation\n\n")
                .append("journal:           ").append(dir).append('\n')
                .append("cut at position:   ").append(position).append(" (this entry and every later one were removed)\n")
                .append("last kept entry:   ").append(lastKept == Journal.NO_POSITION ? "none" : Long.toString(lastKept)).append('\n')
                .append("when:              ").append(Instant.now()).append("\n\n")
                .append("The files below are the journal files as they were before the cut, byte for byte:\n");
        for (Path copy : copies) {
            text.append("  ").append(copy.getFileName()).append('\n');
        }
        text.append("\nTo undo the cut: stop the service, delete from ").append(dir)
                .append(" every .cq4 file named here or later,\nthen copy these files back into it."
                        + " The journal is then exactly as it was, corrupt entry included.\n");
        Path readme = copyDirectory.resolve("README.txt");
        Files.writeString(readme, text, StandardCharsets.UTF_8);
        force(readme);
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            if (!System.getProperty("os.name", "").toLowerCase().startsWith("windows")) {
                throw e;
            }
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(path)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            deleteRecursively(path);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "Could not delete " + path, e);
        }
    }
}
