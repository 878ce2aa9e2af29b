package io.reprise.agent.writepath;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Free space on the journal's volume: a budget of bytes that may still be appended, checked for every entry.
 *
 * <p>The journal is a memory-mapped file: a write into it when the file system is full does not fail with an
 * error the append could report, it faults (SIGBUS) in the middle of an entry. So the write path refuses a
 * request (503, not applied) when its entry would leave less than {@code reprise.journal.min-free} usable, and
 * takes requests again as soon as space returns.
 *
 * <p>{@link #reserve} runs under the write path's order, so concurrent writers are counted one after the other and
 * cannot together pass one reading. The budget is {@code usable - minFree} as last read; each entry takes its size
 * from it. The volume is read again ({@code statvfs}) only when the budget does not cover an entry or the reading is
 * older than {@link #REFRESH_NANOS} (other processes use the volume too): no system call per request while space
 * is ample.
 */
final class DiskSpace {

    /** Reads the usable bytes of the volume. */
    @FunctionalInterface
    interface UsableSpace {
        long read() throws IOException;
    }

    static final long REFRESH_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final UsableSpace usable;
    private final Path directory;
    private final long minFree;
    private final long refreshNanos;

    // Guarded by the write path's order.
    private boolean read;       // false until the first reading
    private long readAtNanos;
    private long budget;        // bytes that may still be appended, as of the last reading

    DiskSpace(UsableSpace usable, Path directory, long minFree) {
        this(usable, directory, minFree, REFRESH_NANOS);
    }

    /** With readings refreshed after {@code refreshNanos} at the latest (tests: never, to count them). */
    DiskSpace(UsableSpace usable, Path directory, long minFree, long refreshNanos) {
        this.usable = usable;
        this.directory = directory;
        this.minFree = minFree;
        this.refreshNanos = refreshNanos;
    }

    static DiskSpace of(Path directory, long minFree) throws IOException {
        FileStore store = Files.getFileStore(directory);
        return new DiskSpace(store::getUsableSpace, directory, minFree);
    }

    /**
     * Takes {@code bytes} from the budget; null when there is room, else the reason there is not (then nothing is
     * taken). Call under the order.
     */
    String reserve(long bytes) {
        long now = System.nanoTime();
        if (!read || budget < bytes || now - readAtNanos > refreshNanos) {
            long space;
            try {
                space = usable.read();
            } catch (IOException e) {
                return "the free space of " + directory + " cannot be read: " + e.getMessage();
            }
            read = true;
            readAtNanos = now;
            budget = space - minFree;
            if (budget < bytes) {
                return "the journal's volume is nearly full: " + (space >> 20) + " MiB usable in " + directory
                        + ", an entry of " + bytes + " bytes would leave less than reprise.journal.min-free ("
                        + (minFree >> 20) + " MiB)";
            }
        }
        budget -= bytes;
        return null;
    }
}
