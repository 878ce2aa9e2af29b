package io.reprise.snapshot.store;

import static io.reprise.snapshot.store.TestSnapshots.read;
import static io.reprise.snapshot.store.TestSnapshots.write;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** C6: every kind of damage is detected and named, with the file; nothing damaged is ever handed out. */
class SnapshotCorruptionTest {

    @TempDir
    Path dir;

    private SnapshotStore store;
    private SnapshotFile file;

    @BeforeEach
    void writeOneSnapshot() throws IOException {
        store = new SnapshotStore(dir);
        byte[] payload = new byte[200_000];
        Arrays.fill(payload, (byte) 'x');
        file = write(store, 5, payload);
    }

    @Test
    void aFlippedPayloadByteIsDetected() throws IOException {
        flip(file.path(), SnapshotFormat.HEADER_SIZE + 150_000);

        assertCorrupt(file, "payload checksum mismatch");
        assertThatThrownBy(file::openVerified).isInstanceOf(CorruptSnapshotException.class);
    }

    @ParameterizedTest(name = "byte {0}")
    @ValueSource(ints = {11, 15, 20, 27, 35, 41, 46, 52, 58})
    void aFlippedHeaderByteIsDetected(int offset) throws IOException {
        // version, header size, position, created, length, payload CRC, section count, part length, header CRC:
        // the checksum catches each, also a damaged version field, which is not mistaken for a newer format
        flip(file.path(), offset);

        assertCorrupt(file, "header checksum mismatch");
    }

    @Test
    void aDamagedHeaderSizeIsDetected() throws IOException {
        flip(file.path(), 12);

        assertCorrupt(file, "invalid header size");
    }

    @Test
    void aWrongMagicIsDetected() throws IOException {
        overwrite(file.path(), 0, "NOTASNAP".getBytes(US_ASCII));

        assertCorrupt(file, "bad magic");
    }

    @Test
    void aTruncatedPayloadIsDetected() throws IOException {
        truncate(file.path(), Files.size(file.path()) - 1);

        assertCorrupt(file, "truncated").hasMessageContaining("199999");
    }

    @Test
    void aFileCutInsideTheHeaderIsDetected() throws IOException {
        truncate(file.path(), 30);

        assertCorrupt(file, "truncated");
    }

    @Test
    void anEmptyFileIsDetected() throws IOException {
        truncate(file.path(), 0);

        assertCorrupt(file, "truncated");
    }

    @Test
    void bytesAfterThePayloadAreDetected() throws IOException {
        Files.write(file.path(), new byte[] {0}, StandardOpenOption.APPEND);

        assertCorrupt(file, "length mismatch");
    }

    @Test
    void aSnapshotRenamedToAnotherPositionIsDetected() throws IOException {
        Path renamed = dir.resolve(SnapshotFormat.fileName(6));
        Files.copy(file.path(), renamed);
        SnapshotFile impostor = store.list().get(0);
        assertThat(impostor.path()).isEqualTo(renamed);

        assertCorrupt(impostor, "position mismatch").hasMessageContaining("header says 5")
                .hasMessageContaining("file name says 6");
    }

    @Test
    void aNewerFormatIsRefusedNotGuessedAt() throws IOException {
        // What a future release might write: version 3 with a longer header, checksummed the same way.
        ByteBuffer header = ByteBuffer.allocate(72).put("REPRSNAP".getBytes(US_ASCII)).putInt(3).putInt(72)
                .putLong(5);
        CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, 68);
        header.putInt(68, (int) crc.getValue());
        overwrite(file.path(), 0, header.array());

        assertThatThrownBy(file::verify)
                .isInstanceOfSatisfying(UnsupportedSnapshotFormatException.class, e -> {
                    assertThat(e.foundVersion()).isEqualTo(3);
                    assertThat(e.supportedVersion()).isEqualTo(2);
                    assertThat(e.file()).isEqualTo(file.path());
                })
                .hasMessageContaining(file.path().toString())
                .hasMessageContaining("format version 3")
                .hasMessageContaining("up to 2");
        assertThatThrownBy(file::openVerified).isInstanceOf(UnsupportedSnapshotFormatException.class);
    }

    @Test
    void aCorruptNewestSnapshotIsListedButTheNextOneVerifies() throws IOException {
        write(store, 6, "older".getBytes(US_ASCII));
        SnapshotFile newest = write(store, 7, "newest".getBytes(US_ASCII));
        flip(newest.path(), SnapshotFormat.HEADER_SIZE + 2);

        List<SnapshotFile> listed = store.list();

        assertThat(listed).extracting(SnapshotFile::position).containsExactly(7L, 6L, 5L);
        assertThatThrownBy(listed.get(0)::verify).isInstanceOf(CorruptSnapshotException.class);
        assertThat(newestValid(listed)).hasValueSatisfying(valid -> {
            assertThat(valid.position()).isEqualTo(6);
            assertThat(new String(readUnchecked(valid), US_ASCII)).isEqualTo("older");
        });
    }

    @Test
    void damageBetweenVerificationAndRestoreIsCaughtBeforeTheLastBytesAreHandedOut() throws IOException {
        try (InputStream in = file.openVerified()) {
            flip(file.path(), SnapshotFormat.HEADER_SIZE + 150_000); // payload is read lazily, in 64 KiB chunks

            assertThatThrownBy(in::readAllBytes)
                    .isInstanceOf(CorruptSnapshotException.class)
                    .hasMessageContaining("payload checksum mismatch")
                    .hasMessageContaining(file.path().toString());
        }
    }

    /** The walk recovery does: newest first, the first that verifies. */
    private static Optional<SnapshotFile> newestValid(List<SnapshotFile> snapshots) {
        for (SnapshotFile snapshot : snapshots) {
            try {
                snapshot.verify();
                return Optional.of(snapshot);
            } catch (CorruptSnapshotException e) {
                // try the next older one
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        return Optional.empty();
    }

    private static byte[] readUnchecked(SnapshotFile snapshot) {
        try {
            return read(snapshot);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertCorrupt(SnapshotFile file, String problem) {
        return assertThatThrownBy(file::verify)
                .isInstanceOfSatisfying(CorruptSnapshotException.class,
                        e -> assertThat(e.file()).isEqualTo(file.path()))
                .hasMessageStartingWith("Corrupt snapshot " + file.path() + ": " + problem);
    }

    private static void flip(Path path, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            channel.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x01));
            channel.write(b.rewind(), offset);
        }
    }

    private static void overwrite(Path path, long offset, byte[] bytes) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    private static void truncate(Path path, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }
}
