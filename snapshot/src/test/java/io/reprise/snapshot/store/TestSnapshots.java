package io.reprise.snapshot.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/** Writing and reading snapshots in tests, the way the agent does. */
final class TestSnapshots {

    private TestSnapshots() {
    }

    static SnapshotFile write(SnapshotStore store, long position, byte[] payload) throws IOException {
        try (PendingSnapshot pending = store.begin()) {
            pending.stream().write(payload);
            return pending.commit(position);
        }
    }

    static byte[] read(SnapshotFile file) throws IOException {
        try (InputStream in = file.openVerified()) {
            return in.readAllBytes();
        }
    }

    static int crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    /** The names in {@code dir}, sorted. */
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
