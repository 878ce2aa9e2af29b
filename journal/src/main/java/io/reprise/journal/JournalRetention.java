package io.reprise.journal;

import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drops the journal's oldest days: the cycle files whose entries all lie before a position that the
 * oldest kept snapshot covers.
 *
 * <p>Why deleting a cycle file is safe while the journal is open: a position is {@code cycle << 32 |
 * sequence}, so every entry of a cycle below the cycle of {@code position} lies before it, and nothing
 * at or after {@code position} is in such a file. The appender only ever writes the newest cycle, which
 * is never below the cycle of an existing position. Readers reach a cycle through Chronicle's directory
 * listing, which is refreshed after the deletion, so a reader created afterwards starts at the first
 * remaining file ({@code readAfter(NO_POSITION)}) or seeks straight to its cycle ({@code readAfter(p)}).
 * A reader still inside a deleted file keeps its mapping; on Linux and macOS the file's space is freed
 * when the mapping goes. Where the file system refuses to delete a mapped file (Windows), the file is
 * left for the next retention and the failure is logged.
 */
final class JournalRetention {

    private static final System.Logger LOG = System.getLogger("io.reprise.journal");
    /** Kept in Chronicle's metadata.cq4t: entries before this position were deleted by retention. */
    static final String DELETED_BEFORE_KEY = "reprise.retention.deletedBefore";

    private JournalRetention() {
        throw new AssertionError("not instantiable");
    }

    /** Deletes one journal file; the test seam for a crash in the middle of retention. */
    @FunctionalInterface
    interface Deleter {
        boolean delete(Path file) throws IOException;
    }

    /**
     * See {@link Journal#deleteFilesBefore(long)}. The marker ({@link #DELETED_BEFORE_KEY}) is written and forced to disk before the first file is deleted: a crash
     * at any point after that leaves a journal that says it is not whole, so a recovery without a usable snapshot
     * refuses to replay it as if it were. The marker claims a little too much if the crash comes before every file is
     * gone; that only keeps a recovery from replaying files that retention was about to delete anyway.
     */
    static List<Path> deleteFilesBefore(SingleChronicleQueue queue, Path dir, long position, long lastPosition,
                                        Deleter deleter) throws IOException {
        if (position == Journal.NO_POSITION) {
            return List.of();
        }
        if (position < 0 || position > lastPosition) {
            throw new JournalException("Position " + position + " is not in the journal in " + dir + " (its last"
                    + " position is " + lastPosition + "); retention keeps every file rather than guess what a"
                    + " snapshot that refers to it needs.");
        }
        int keptCycle = QueueFormat.cycleOf(position);
        Map<Integer, Path> doomed = QueueFormat.cycleFilesBefore(dir, keptCycle);
        if (doomed.isEmpty()) {
            return List.of();
        }
        long floor = QueueFormat.position(keptCycle, 0);
        if (deletedBefore(queue) < floor) {
            queue.tableStorePut(DELETED_BEFORE_KEY, floor);
            forceMetadata(dir);
        }
        List<Path> deleted = new ArrayList<>();
        long bytes = 0;
        for (Path path : doomed.values()) {
            try {
                long size = Files.size(path);
                if (deleter.delete(path)) {
                    deleted.add(path);
                    bytes += size;
                }
            } catch (IOException e) {
                LOG.log(Level.WARNING, "Journal retention could not delete " + path + " (" + e + "); it is tried"
                        + " again at the next retention");
            }
        }
        if (!deleted.isEmpty()) {
            queue.refreshDirectoryListing(); // the lowest cycle Chronicle knows of is gone
            long freed = bytes;
            LOG.log(Level.INFO, () -> "Journal retention deleted " + deleted.size() + " file(s) whose entries all lie"
                    + " before position " + position + " (" + freed / (1024 * 1024) + " MiB): " + names(deleted));
        }
        return List.copyOf(deleted);
    }

    /** Forces Chronicle's memory-mapped {@code metadata.cq4t}, which holds the marker, to the device. */
    private static void forceMetadata(Path dir) throws IOException {
        try (FileChannel metadata = FileChannel.open(dir.resolve(StaleWriteLocks.METADATA_FILE), StandardOpenOption.READ)) {
            metadata.force(false);
        }
    }

    /** See {@link Journal#deletedBefore()}. */
    static long deletedBefore(SingleChronicleQueue queue) {
        long value = queue.tableStoreGet(DELETED_BEFORE_KEY);
        return value < 0 ? Journal.NO_POSITION : value;
    }

    /** The position of the first entry that can be read, or {@link Journal#NO_POSITION}. */
    static long firstPosition(SingleChronicleQueue queue) {
        try (ExcerptTailer tailer = queue.createTailer()) {
            tailer.singleThreadedCheckDisabled(true);
            tailer.toStart();
            try (DocumentContext document = tailer.readingDocument()) {
                return document.isPresent() ? document.index() : Journal.NO_POSITION;
            }
        }
    }

    private static String names(List<Path> files) {
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            names.add(file.getFileName().toString());
        }
        return String.join(", ", names);
    }
}
