package io.reprise.snapshot.store;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A snapshot file cannot be used. Internal to Reprise; see the {@linkplain io.reprise.snapshot.store package
 * documentation}.
 *
 * <p>The message names the file, says what is wrong and what can be done; {@link #file()} gives the file.
 */
public class SnapshotException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Transient because {@link Path} is not serializable; the message still names the file. */
    private final transient Path file;

    /**
     * @param file the snapshot file
     * @param message the whole message, naming the file
     */
    public SnapshotException(Path file, String message) {
        super(message);
        this.file = file;
    }

    /**
     * @param file the snapshot file
     * @param message the whole message, naming the file
     * @param cause what made the file unusable
     */
    public SnapshotException(Path file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /**
     * @return the snapshot file; null after deserialization
     */
    public Path file() {
        return file;
    }
}
