package io.reprise.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Another process holds a data directory's {@link DataDirLock} (or this process holds it already). Carries the pid
 * the lock file names, so that each caller can say, in its own words, which process to stop.
 */
public final class DataDirLockedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path directory;
    private final transient Path lockFile;
    private final String holderPid;

    DataDirLockedException(Path directory, Path lockFile, String holderPid) {
        super("The data directory " + directory + " is in use by another process (pid " + holderPid + ", which holds "
                + lockFile + "); two processes must never write to one journal");
        this.directory = directory;
        this.lockFile = lockFile;
        this.holderPid = holderPid;
    }

    /** The data directory, as given to {@link DataDirLock#acquire}. */
    public Path directory() {
        return directory;
    }

    /** The lock file, {@code <directory>/reprise.lock}. */
    public Path lockFile() {
        return lockFile;
    }

    /** The pid written in the lock file by the process that took it, or {@code "unknown"} if the file names none. */
    public String holderPid() {
        return holderPid;
    }
}
