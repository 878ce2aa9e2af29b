package io.reprise.snapshot.store;

import java.nio.file.Path;

/**
 * A snapshot file is damaged: bad magic, header checksum, truncated, a section's frame or checksum, payload
 * checksum, length or position mismatch. Internal to Reprise.
 *
 * <p>A corrupt snapshot is never used; recovery can fall back to an older snapshot and replay more of the
 * journal.
 */
public class CorruptSnapshotException extends SnapshotException {

    private static final long serialVersionUID = 1L;

    /**
     * @param file the damaged file
     * @param problem what is wrong with it, e.g. {@code "payload checksum mismatch (...)"}
     */
    public CorruptSnapshotException(Path file, String problem) {
        super(file, message(file, problem));
    }

    /**
     * @param file the damaged file
     * @param problem what is wrong with it
     * @param cause the error that revealed it
     */
    public CorruptSnapshotException(Path file, String problem, Throwable cause) {
        super(file, message(file, problem), cause);
    }

    private static String message(Path file, String problem) {
        return "Corrupt snapshot " + file + ": " + problem
                + ". The file cannot be used; an older snapshot and a longer journal replay can stand in for it."
                + " Keep the file for diagnosis or delete it.";
    }
}
