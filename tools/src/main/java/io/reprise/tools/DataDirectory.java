package io.reprise.tools;

import io.reprise.journal.DataDirLock;
import io.reprise.journal.DataDirPermissions;
import java.nio.file.Files;
import java.nio.file.Path;

/** The layout of a Reprise data directory, as the agent writes it (brief, section 5). */
record DataDirectory(Path root) {

    static final String JOURNAL = DataDirPermissions.JOURNAL;
    static final String SNAPSHOTS = DataDirPermissions.SNAPSHOTS;
    static final String LOCK_FILE = DataDirLock.FILE_NAME;

    static DataDirectory of(Path root) {
        if (!Files.isDirectory(root)) {
            throw new ToolException(root + " is not a directory. Name the data directory of a service (its reprise.dir),"
                    + " the one holding journal/ and snapshots/.");
        }
        Path normalized = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(normalized.resolve(JOURNAL)) && !Files.isDirectory(normalized.resolve(SNAPSHOTS))) {
            throw new ToolException(normalized + " holds neither journal/ nor snapshots/: it is not a Reprise data"
                    + " directory (is it the journal directory itself? name its parent).");
        }
        return new DataDirectory(normalized);
    }

    Path journal() {
        return root.resolve(JOURNAL);
    }

    Path snapshots() {
        return root.resolve(SNAPSHOTS);
    }

    Path lockFile() {
        return root.resolve(LOCK_FILE);
    }

    boolean hasJournal() {
        return Files.isDirectory(journal());
    }

    boolean hasSnapshots() {
        return Files.isDirectory(snapshots());
    }
}
