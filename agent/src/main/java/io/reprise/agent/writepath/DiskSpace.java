package io.reprise.agent.writepath;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Free space on the journal's volume, checked before every append.
 *
 * <p>The journal is a memory-mapped file: a write into it when the file system is full does not fail with an
 * error the append could report, it faults (SIGBUS) in the middle of an entry. So the write path refuses a
 * request (503, not applied) while less than {@code reprise.journal.min-free} is usable, and takes requests
 * again as soon as space returns. The check is one {@code statvfs} call.
 */
final class DiskSpace {

    private final FileStore store;
    private final Path directory;
    private final long minFree;
    private volatile long ampleUntilNanos; // until then, the last reading showed more than 2 x minFree

    private DiskSpace(FileStore store, Path directory, long minFree) {
        this.store = store;
        this.directory = directory;
        this.minFree = minFree;
    }

    static DiskSpace of(Path directory, long minFree) throws IOException {
        return new DiskSpace(Files.getFileStore(directory), directory, minFree);
    }

    /** Null when there is room for an entry, else the reason there is not. */
    String shortage() {
        if (System.nanoTime() - ampleUntilNanos < 0) {
            return null;
        }
        long usable;
        try {
            usable = store.getUsableSpace();
        } catch (IOException e) {
            return "the free space of " + directory + " cannot be read: " + e.getMessage();
        }
        if (usable >= minFree) {
            if (usable > 2 * minFree) {
                ampleUntilNanos = System.nanoTime() + 10_000_000L;
            }
            return null;
        }
        return "the journal's volume is nearly full: " + (usable >> 20) + " MiB usable in " + directory
                + ", reprise.journal.min-free is " + (minFree >> 20) + " MiB";
    }
}
