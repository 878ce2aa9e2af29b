package io.reprise.snapshot.store;

import java.nio.file.Path;

/**
 * A snapshot file was written by a newer release of Reprise, in a format version this release cannot read.
 * Internal to Reprise.
 *
 * <p>The file is intact (its header checksum is valid); it is refused rather than guessed at.
 */
public class UnsupportedSnapshotFormatException extends SnapshotException {

    private static final long serialVersionUID = 1L;

    /** The format version in the file's header. */
    private final int foundVersion;
    /** The newest format version this release reads. */
    private final int supportedVersion;

    /**
     * @param file the snapshot file
     * @param foundVersion the format version in its header
     * @param supportedVersion the newest format version this release reads
     */
    public UnsupportedSnapshotFormatException(Path file, int foundVersion, int supportedVersion) {
        super(file, "Snapshot " + file + " has format version " + foundVersion
                + ", but this release of Reprise reads format versions up to " + supportedVersion
                + ". It was written by a newer Reprise: run that release (or a newer one), or move the file out"
                + " of the snapshot directory to recover from an older snapshot.");
        this.foundVersion = foundVersion;
        this.supportedVersion = supportedVersion;
    }

    /**
     * @return the format version found in the file
     */
    public int foundVersion() {
        return foundVersion;
    }

    /**
     * @return the newest format version this release reads
     */
    public int supportedVersion() {
        return supportedVersion;
    }
}
