package io.reprise.snapshot.store;

import static io.reprise.snapshot.store.TestSnapshots.crc32c;
import static io.reprise.snapshot.store.TestSnapshots.names;
import static io.reprise.snapshot.store.TestSnapshots.read;
import static io.reprise.snapshot.store.TestSnapshots.write;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writing and reading snapshots: round trips, the format, names, and the life of a pending snapshot. */
class SnapshotStoreTest {

    @TempDir
    Path dir;

    @Test
    void aSmallPayloadRoundTrips() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        byte[] payload = "counter=42".getBytes(UTF_8);
        long before = System.currentTimeMillis();

        SnapshotFile file = write(store, 7, payload);

        SnapshotHeader header = file.verify();
        assertThat(header.formatVersion()).isEqualTo(SnapshotStore.FORMAT_VERSION);
        assertThat(header.position()).isEqualTo(7);
        assertThat(header.payloadLength()).isEqualTo(payload.length);
        assertThat(header.payloadCrc32c()).isEqualTo(crc32c(payload));
        assertThat(header.createdMillis()).isBetween(before, System.currentTimeMillis());
        assertThat(read(file)).isEqualTo(payload);
    }

    @Test
    void anEmptyPayloadRoundTrips() throws IOException {
        SnapshotFile file = write(new SnapshotStore(dir), 0, new byte[0]);

        assertThat(file.verify().payloadLength()).isZero();
        assertThat(read(file)).isEmpty();
        assertThat(Files.size(file.path())).isEqualTo(SnapshotFormat.HEADER_SIZE);
    }

    @Test
    void aLargePayloadIsStreamedThroughBothWays() throws Exception {
        long size = 50L << 20;
        SnapshotStore store = new SnapshotStore(dir);
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        SplittableRandom random = new SplittableRandom(17);
        SnapshotFile file;
        try (PendingSnapshot pending = store.begin()) {
            OutputStream out = pending.stream();
            byte[] chunk = new byte[300_000];
            for (long left = size; left > 0; ) {
                int n = (int) Math.min(left, random.nextInt(1, chunk.length)); // around and beyond the buffer size
                random.nextBytes(chunk);
                if (n % 3 == 0) {
                    out.write(chunk[0]); // single bytes between the bulk writes
                    written.update(chunk[0]);
                    n = 1;
                } else {
                    out.write(chunk, 0, n);
                    written.update(chunk, 0, n);
                }
                left -= n;
            }
            file = pending.commit(1_000_000);
        }

        assertThat(file.verify().payloadLength()).isEqualTo(size);
        assertThat(Files.size(file.path())).isEqualTo(SnapshotFormat.HEADER_SIZE + size);
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        long total = 0;
        try (InputStream in = file.openVerified()) {
            byte[] buffer = new byte[123_457];
            for (int n; (n = in.read(buffer)) >= 0; total += n) {
                read.update(buffer, 0, n);
            }
        }
        assertThat(total).isEqualTo(size);
        assertThat(read.digest()).isEqualTo(written.digest());
    }

    @Test
    void theHeaderHasTheDocumentedLayout() throws IOException {
        byte[] payload = "state".getBytes(UTF_8);
        SnapshotFile file = write(new SnapshotStore(dir), 0x0102030405L, payload);

        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file.path()));
        byte[] magic = new byte[8];
        bytes.get(magic);
        assertThat(new String(magic, UTF_8)).isEqualTo("REPRSNAP");
        assertThat(bytes.getInt(8)).as("format version").isEqualTo(2);
        assertThat(bytes.getInt(12)).as("header size").isEqualTo(60);
        assertThat(bytes.getLong(16)).as("position").isEqualTo(0x0102030405L);
        assertThat(bytes.getLong(24)).as("created").isEqualTo(file.verify().createdMillis());
        assertThat(bytes.getLong(32)).as("payload length").isEqualTo(payload.length);
        assertThat(bytes.getInt(40)).as("payload CRC32C").isEqualTo(crc32c(payload));
        assertThat(bytes.getInt(44)).as("section count").isZero();
        assertThat(bytes.getLong(48)).as("length of Reprise's part").isZero();
        CRC32C headerCrc = new CRC32C();
        headerCrc.update(bytes.array(), 0, 56);
        assertThat(bytes.getInt(56)).as("header CRC32C").isEqualTo((int) headerCrc.getValue());
        assertThat(new String(bytes.array(), 60, payload.length, UTF_8)).isEqualTo("state");
        assertThat(bytes.capacity()).isEqualTo(60 + payload.length);
    }

    @Test
    void namesSortByPositionAndListIsNewestFirst() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        for (long position : new long[] {5, 0x1_0000_0000L, 300, 0, Long.MAX_VALUE, 42}) {
            write(store, position, new byte[] {1});
        }

        List<SnapshotFile> listed = store.list();

        assertThat(listed).extracting(SnapshotFile::position)
                .containsExactly(Long.MAX_VALUE, 0x1_0000_0000L, 300L, 42L, 5L, 0L);
        assertThat(listed).extracting(f -> f.path().getFileName().toString())
                .isSortedAccordingTo((a, b) -> b.compareTo(a))
                .contains("snapshot-000000000000002a.snap", "snapshot-7fffffffffffffff.snap");
    }

    @Test
    void listIgnoresTemporaryAndForeignFiles() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        write(store, 3, new byte[] {1});
        for (String name : List.of("notes.txt", "snapshot-3.snap", "snapshot-000000000000002A.snap",
                "snapshot-ffffffffffffffff.snap", ".snapshot-0123456789abcdef.tmp")) {
            Files.writeString(dir.resolve(name), "not a snapshot");
        }
        Files.createDirectory(dir.resolve("snapshot-0000000000000009.snap"));

        assertThat(store.list()).extracting(SnapshotFile::position).containsExactly(3L);
    }

    @Test
    void aSnapshotAppearsUnderItsFinalNameOnlyWhenCommitted() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        try (PendingSnapshot pending = store.begin()) {
            pending.stream().write(new byte[100_000]);
            pending.stream().flush();

            assertThat(names(dir)).containsExactly(pending.temporaryFile().getFileName().toString());
            assertThat(pending.temporaryFile().getFileName().toString()).matches("\\.snapshot-[0-9a-f]{16}\\.tmp");
            assertThat(store.list()).isEmpty();

            pending.commit(7);
        }

        assertThat(names(dir)).containsExactly("snapshot-0000000000000007.snap");
    }

    @Test
    void closingWithoutCommitAbortsAndDeletesTheTemporaryFile() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        PendingSnapshot pending = store.begin();
        pending.stream().write(new byte[200_000]);

        pending.close();
        pending.close();

        assertThat(names(dir)).isEmpty();
        assertThatThrownBy(() -> pending.commit(1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("aborted");
    }

    @Test
    void closingAfterCommitKeepsTheSnapshot() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        PendingSnapshot pending = store.begin();
        pending.stream().write(1);
        SnapshotFile file = pending.commit(4);

        pending.close();

        assertThat(file.verify().position()).isEqualTo(4);
        assertThatThrownBy(() -> pending.commit(5))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("committed");
    }

    @Test
    void aProviderClosingTheStreamDoesNotBreakTheCommit() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotFile file;
        try (PendingSnapshot pending = store.begin()) {
            try (DataOutputStream data = new DataOutputStream(pending.stream())) { // closes the stream: a mistake
                data.writeLong(42);
            }
            assertThatThrownBy(() -> pending.stream().write(1))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("closed");
            file = pending.commit(11);
        }

        assertThat(read(file)).isEqualTo(ByteBuffer.allocate(8).putLong(42).array());
    }

    @Test
    void aNegativePositionIsRefusedAndTheSnapshotStaysOpen() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        try (PendingSnapshot pending = store.begin()) {
            pending.stream().write(1);

            assertThatThrownBy(() -> pending.commit(-1)).isInstanceOf(IllegalArgumentException.class);
            assertThat(pending.commit(0).verify().payloadLength()).isEqualTo(1);
        }
    }

    @Test
    void aSnapshotAtTheSamePositionReplacesTheEarlierOne() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        write(store, 3, "first".getBytes(UTF_8));
        write(store, 3, "second".getBytes(UTF_8));

        assertThat(store.list()).singleElement().satisfies(file ->
                assertThat(new String(read(file), UTF_8)).isEqualTo("second"));
    }

    @Test
    void theDirectoryIsCreatedWithItsParents() throws IOException {
        Path nested = dir.resolve("data").resolve("snapshots");

        SnapshotStore store = new SnapshotStore(nested);

        assertThat(nested).isDirectory();
        assertThat(store.directory()).isEqualTo(nested);
        assertThat(write(store, 1, new byte[] {1}).path().getParent()).isEqualTo(nested);
    }
}
