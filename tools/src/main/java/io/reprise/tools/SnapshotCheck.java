package io.reprise.tools;

import io.reprise.snapshot.store.SnapshotFile;
import io.reprise.snapshot.store.SnapshotHeader;
import io.reprise.snapshot.store.SnapshotStore;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One snapshot file, read end to end: its header, the sections of Reprise's part and a verified payload, or what is
 * wrong with it.
 *
 * @param file     the snapshot
 * @param size     its size in bytes
 * @param header   the verified header, or null if it did not verify
 * @param sections the sections of Reprise's part, in file order; empty if it did not verify
 * @param problem  what is wrong with it, or null if it verified
 */
record SnapshotCheck(SnapshotFile file, long size, SnapshotHeader header, List<Section> sections, String problem) {

    /** A section's name and size; its bytes are not kept. */
    record Section(String name, int version, long bytes) {
    }

    /** Every snapshot in the directory, newest first, each verified. Creates nothing. */
    static List<SnapshotCheck> all(DataDirectory data) throws IOException {
        List<SnapshotCheck> checks = new ArrayList<>();
        if (!data.hasSnapshots()) {
            return checks;
        }
        for (SnapshotFile file : new SnapshotStore(data.snapshots()).list()) {
            long size = Files.size(file.path());
            try {
                SnapshotHeader header = file.verify();
                List<Section> sections = file.readPart().sections().stream()
                        .map(s -> new Section(s.name(), s.version(), s.bytes().length)).toList();
                checks.add(new SnapshotCheck(file, size, header, sections, null));
            } catch (IOException e) {
                checks.add(new SnapshotCheck(file, size, null, List.of(),
                        e.getMessage() == null ? e.toString() : e.getMessage()));
            }
        }
        return checks;
    }

    /** {@code sessions (version 1, 1,234 bytes), ...}, or {@code none}. */
    String describeSections() {
        return sections.isEmpty() ? "none" : sections.stream()
                .map(s -> String.format("%s (version %d, %,d bytes)", s.name(), s.version(), s.bytes()))
                .collect(Collectors.joining(", "));
    }
}
