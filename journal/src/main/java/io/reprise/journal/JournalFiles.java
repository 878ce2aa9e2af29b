package io.reprise.journal;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A read-only view of a journal directory, for inspection: its files, positions and entries. Opens
 * Chronicle's queue read-only, so it writes nothing (no lock is taken or freed, no file is created)
 * and can look at the journal of a running service as well as of a stopped one.
 *
 * <p>Readers it hands out check entries exactly as recovery's do: checksums, format version, and an
 * incomplete last entry reported by {@link JournalReader#incompleteEntry()}. While a service is
 * appending, its entry in progress may be reported as incomplete.
 */
public final class JournalFiles implements JournalView, AutoCloseable {

    static {
        ChronicleEnvironment.prepare();
    }

    private final Path dir;
    private final SingleChronicleQueue queue;

    private JournalFiles(Path dir, SingleChronicleQueue queue) {
        this.dir = dir;
        this.queue = queue;
    }

    /**
     * Opens the journal in {@code dir} ({@code <data>/journal}) for reading.
     *
     * @throws JournalException if {@code dir} holds no journal, or Chronicle cannot open it
     */
    public static JournalFiles open(Path dir) throws IOException {
        Path directory = dir.toAbsolutePath().normalize();
        if (!Files.isRegularFile(directory.resolve(StaleWriteLocks.METADATA_FILE))) {
            throw new JournalException("There is no journal in " + directory + " (no " + StaleWriteLocks.METADATA_FILE
                    + "). A data directory holds its journal in journal/.");
        }
        directory = directory.toRealPath();
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            return new JournalFiles(directory, QueueFormat.builder(directory, null, true).build());
        } catch (RuntimeException e) {
            throw new JournalException("Could not open the journal in " + directory + " for reading: " + e, e);
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /** The journal directory. */
    @Override
    public Path directory() {
        return dir;
    }

    /** The journal's files, one per day, oldest first, with their entry counts from Chronicle's index. */
    public List<JournalFile> files() throws IOException {
        List<JournalFile> files = new ArrayList<>();
        ClassLoader previous = ChronicleEnvironment.enter();
        try (ExcerptTailer tailer = queue.createTailer()) {
            for (Map.Entry<Integer, Path> file : QueueFormat.cycleFiles(dir).entrySet()) {
                int cycle = file.getKey();
                long entries = Math.max(0, tailer.excerptsInCycle(cycle));
                files.add(new JournalFile(file.getValue(), cycle, LocalDate.ofEpochDay(cycle), Files.size(file.getValue()),
                        entries, entries == 0 ? Journal.NO_POSITION : QueueFormat.position(cycle, 0),
                        entries == 0 ? Journal.NO_POSITION : QueueFormat.position(cycle, entries - 1)));
            }
        } finally {
            ChronicleEnvironment.exit(previous);
        }
        return files;
    }

    /** The position of the first entry, or {@link Journal#NO_POSITION} if the journal is empty. */
    public long firstPosition() {
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            return JournalRetention.firstPosition(queue);
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /** The position of the last complete record (a request entry or an outcome record), or {@link Journal#NO_POSITION} if the journal is empty. */
    public long lastPosition() {
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            long last = queue.lastIndex();
            return last < 0 ? Journal.NO_POSITION : last;
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /**
     * A reader over the entries at or after {@code position}, which need not be an entry's position. An outcome
     * record at {@code position} is skipped: its entry comes before it.
     *
     * @param position a position, or {@link Journal#NO_POSITION} for every entry
     */
    public JournalReader readFrom(long position) throws IOException {
        long start = Journal.NO_POSITION;
        boolean pastEnd = false;
        if (position != Journal.NO_POSITION) {
            start = firstAtOrAfter(position);
            pastEnd = start == Journal.NO_POSITION;
        }
        ClassLoader previous = ChronicleEnvironment.enter();
        ExcerptTailer tailer = queue.createTailer();
        try {
            tailer.singleThreadedCheckDisabled(true);
            if (pastEnd) {
                tailer.toEnd();
            } else if (start == Journal.NO_POSITION) {
                tailer.toStart();
            } else if (!tailer.moveToIndex(start)) {
                throw new JournalException("Chronicle cannot find position " + start + " in the journal in " + dir
                        + ", although its index lists it.");
            }
            return new JournalReader(queue, tailer, dir);
        } catch (RuntimeException | Error e) {
            tailer.close();
            throw e;
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /** See {@link Journal#deletedBefore()}. */
    @Override
    public long deletedBefore() {
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            return JournalRetention.deletedBefore(queue);
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /** See {@link Journal#countAfter(long)}: records (requests and outcomes) strictly after {@code position}. */
    @Override
    public long countAfter(long position) {
        long last = lastPosition();
        if (last == Journal.NO_POSITION || position >= last) {
            return 0;
        }
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            if (position == Journal.NO_POSITION) {
                return queue.countExcerpts(queue.firstIndex(), last) + 1;
            }
            return queue.countExcerpts(position, last);
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /**
     * See {@link Journal#readAfter(long)}: the entries strictly after {@code position}, which must lie in the journal
     * (or be {@link Journal#NO_POSITION}).
     */
    @Override
    public JournalReader readAfter(long position) {
        long first = firstPosition();
        long last = lastPosition();
        if (position != Journal.NO_POSITION && (position < 0 || first == Journal.NO_POSITION || position < first || position > last)) {
            throw new JournalException("Position " + position + " is not in the journal in " + dir + " (its records run from "
                    + first + " to " + last + ").");
        }
        try {
            return position == Journal.NO_POSITION ? readFrom(Journal.NO_POSITION) : readFrom(position + 1);
        } catch (IOException e) {
            throw new JournalException("Could not read the journal in " + dir + ": " + e, e);
        }
    }

    private long firstAtOrAfter(long position) throws IOException {
        int cycle = QueueFormat.cycleOf(Math.max(0, position));
        for (JournalFile file : files()) {
            if (file.entries() == 0 || file.cycle() < cycle) {
                continue;
            }
            if (file.cycle() > cycle || position <= file.firstPosition()) {
                return file.firstPosition();
            }
            if (position <= file.lastPosition()) {
                return position;
            }
        }
        return Journal.NO_POSITION;
    }

    @Override
    public void close() {
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            queue.close();
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }
}
