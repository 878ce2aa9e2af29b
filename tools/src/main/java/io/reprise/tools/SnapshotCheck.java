package io.reprise.tools;

import io.reprise.snapshot.store.SnapshotFile;
import io.reprise.snapshot.store.SnapshotHeader;
import io.reprise.snapshot.store.SnapshotStore;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * One snapshot file, read end to end: its header and a verified payload, or what is wrong with it.
 *
 * @param file    the snapshot
 * @param size    its size in bytes
 * @param header  the verified header, or null if it did not verify
 * @param problem what is wrong with it, or null if it verified
 */
record SnapshotCheck(SnapshotFile file, long size, SnapshotHeader header, String problem) {

    /** Every snapshot in the directory, newest first, each verified. Creates nothing. */
    static List<SnapshotCheck> all(DataDirectory data) throws IOException {
        List<SnapshotCheck> checks = new ArrayList<>();
        if (!data.hasSnapshots()) {
            return checks;
        }
        for (SnapshotFile file : new SnapshotStore(data.snapshots()).list()) {
            long size = Files.size(file.path());
            try {
                checks.add(new SnapshotCheck(file, size, file.verify(), null));
            } catch (IOException e) {
                checks.add(new SnapshotCheck(file, size, null, e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        return checks;
    }
}
