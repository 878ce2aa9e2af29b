package io.reprise.snapshot.store;

import static io.reprise.snapshot.store.TestSnapshots.crc32c;
import static io.reprise.snapshot.store.TestSnapshots.names;
import static io.reprise.snapshot.store.TestSnapshots.read;
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
import java.util.SplittableRandom;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reprise's part of a snapshot: sections round-trip beside the payload, damage is named with its offset, old files read. */
class SnapshotSectionsTest {

    private static final byte[] PAYLOAD = "the provider's state".getBytes(US_ASCII);
    /** Frame of a section named "sessions": name length, 8 name bytes, version, length, data CRC, frame CRC. */
    private static final int SESSIONS_FRAME = 1 + 8 + 1 + 8 + 4 + 4;

    @TempDir
    Path dir;

    @Test
    void aSnapshotWithoutSectionsHasAnEmptyPartAndItsPayload() throws IOException {
        SnapshotFile file = write(new SnapshotStore(dir));

        SnapshotHeader header = file.verify();
        assertThat(header.sectionCount()).isZero();
        assertThat(header.partLength()).isZero();
        assertThat(header.payloadOffset()).isEqualTo(SnapshotFormat.HEADER_SIZE);
        assertThat(file.readPart().sections()).isEmpty();
        assertThat(file.readPart().section("sessions")).isEmpty();
        assertThat(read(file)).isEqualTo(PAYLOAD);
    }

    @Test
    void oneSectionRoundTripsWithItsVersionAndThePayloadAfterIt() throws IOException {
        byte[] sessions = "session table".getBytes(US_ASCII);
        SnapshotFile file = write(new SnapshotStore(dir), section("sessions", 7, sessions));

        SnapshotHeader header = file.verify();
        assertThat(header.sectionCount()).isEqualTo(1);
        assertThat(header.partLength()).isEqualTo(SESSIONS_FRAME + sessions.length);
        assertThat(file.readPart().section("sessions")).hasValueSatisfying(s -> {
            assertThat(s.name()).isEqualTo("sessions");
            assertThat(s.version()).isEqualTo(7);
            assertThat(s.bytes()).isEqualTo(sessions);
        });
        assertThat(read(file)).isEqualTo(PAYLOAD);
        assertThat(Files.size(file.path())).isEqualTo(SnapshotFormat.HEADER_SIZE + header.partLength() + PAYLOAD.length);
    }

    @Test
    void severalSectionsRoundTripInOrderLargeAndEmptyOnesToo() throws IOException {
        byte[] large = new byte[300_000]; // beyond the 64 KiB buffer, both ways
        new SplittableRandom(5).nextBytes(large);
        SnapshotFile file = write(new SnapshotStore(dir), section("sessions", 1, large), section("empty", 0, new byte[0]),
                section("idempotency-keys", 255, "k=v".getBytes(US_ASCII)));

        file.verify();
        ReprisePart part = file.readPart();
        assertThat(part.sections()).extracting(ReprisePart.Section::name)
                .containsExactly("sessions", "empty", "idempotency-keys");
        assertThat(part.section("sessions").orElseThrow().bytes()).isEqualTo(large);
        assertThat(part.section("empty").orElseThrow().bytes()).isEmpty();
        assertThat(part.section("idempotency-keys").orElseThrow().version()).isEqualTo(255);
        assertThat(part.section("idempotency-keys").orElseThrow().bytes()).isEqualTo("k=v".getBytes(US_ASCII));
        assertThat(part.section("not-written")).isEmpty();
        assertThat(read(file)).isEqualTo(PAYLOAD);
    }

    @Test
    void aSectionFrameHasTheDocumentedLayout() throws IOException {
        byte[] data = "abc".getBytes(US_ASCII);
        SnapshotFile file = write(new SnapshotStore(dir), section("sessions", 3, data));

        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file.path()));
        int at = 60;
        assertThat(bytes.get(at)).as("name length").isEqualTo((byte) 8);
        assertThat(new String(bytes.array(), at + 1, 8, US_ASCII)).as("name").isEqualTo("sessions");
        assertThat(bytes.get(at + 9)).as("version").isEqualTo((byte) 3);
        assertThat(bytes.getLong(at + 10)).as("data length").isEqualTo(3);
        assertThat(bytes.getInt(at + 18)).as("data CRC32C").isEqualTo(crc32c(data));
        assertThat(bytes.getInt(at + 22)).as("frame CRC32C")
                .isEqualTo(crc32c(Arrays.copyOfRange(bytes.array(), at, at + 22)));
        assertThat(new String(bytes.array(), at + 26, 3, US_ASCII)).as("data").isEqualTo("abc");
        assertThat(new String(bytes.array(), at + 29, PAYLOAD.length, US_ASCII)).as("payload")
                .isEqualTo("the provider's state");
    }

    /**
     * {@code format-v1/snapshot-0000512c00000001.snap} was written by the release before sections existed (main at
     * e107b5a, format version 1): its snapshot module's sources compiled with javac, then
     * {@code store.begin()}, {@code pending.stream().write("counter=42\nwritten by format version 1\n")},
     * {@code pending.commit(0x0000512c00000001L)}.
     */
    @Test
    void aVersion1FileWrittenByTheReleaseBeforeSectionsStillReadsAsOneWithNoSections() throws IOException {
        Path copy = dir.resolve("snapshot-0000512c00000001.snap");
        try (InputStream in = getClass().getResourceAsStream("/format-v1/snapshot-0000512c00000001.snap")) {
            Files.copy(in, copy);
        }
        SnapshotFile file = new SnapshotStore(dir).list().get(0);

        SnapshotHeader header = file.verify();
        assertThat(header.formatVersion()).isEqualTo(1);
        assertThat(header.position()).isEqualTo(0x0000512c00000001L);
        assertThat(header.sectionCount()).isZero();
        assertThat(header.payloadOffset()).isEqualTo(48);
        assertThat(file.readPart().sections()).isEmpty();
        assertThat(new String(read(file), US_ASCII)).isEqualTo("counter=42\nwritten by format version 1\n");
    }

    @Test
    void aFlippedSectionDataByteIsNamedWithTheSectionAndItsOffset() throws IOException {
        SnapshotFile file = write(new SnapshotStore(dir), section("sessions", 1, new byte[100_000]),
                section("other", 1, new byte[10]));
        flip(file.path(), 60 + SESSIONS_FRAME + 70_000);

        assertCorruptEverywhere(file, "section 1 of 2 (\"sessions\") at byte 60: data checksum mismatch")
                .hasMessageContaining("100000 bytes from byte " + (60 + SESSIONS_FRAME));
    }

    @Test
    void aFlippedByteInTheSecondSectionsFrameIsNamedWithItsOffset() throws IOException {
        SnapshotFile file = write(new SnapshotStore(dir), section("sessions", 1, new byte[5]),
                section("other", 1, new byte[10]));
        long second = 60 + SESSIONS_FRAME + 5;
        flip(file.path(), second + 2); // in the name

        assertCorruptEverywhere(file, "section 2 of 2 at byte " + second + ": frame checksum mismatch");
    }

    @Test
    void aDamagedSectionLengthIsCaughtByTheFrameChecksum() throws IOException {
        SnapshotFile file = write(new SnapshotStore(dir), section("sessions", 1, new byte[5]));
        flip(file.path(), 60 + 10 + 3); // inside the data length

        assertCorruptEverywhere(file, "section 1 of 1 at byte 60: frame checksum mismatch");
    }

    @Test
    void aHugeSectionLengthWithAValidFrameChecksumIsRefusedBeforeAnythingIsAllocated() throws IOException {
        SnapshotFile file = write(new SnapshotStore(dir), section("sessions", 1, new byte[5]));
        forgeFrame(file.path(), 60, 8, frame -> frame.putLong(10, 1L << 40));

        assertCorruptEverywhere(file, "section 1 of 1 (\"sessions\") at byte 60: invalid length 1099511627776")
                .hasMessageContaining("part holds 5 bytes after this frame");
    }

    @Test
    void aDamagedNameLengthIsRefusedBeforeTheFrameIsRead() throws IOException {
        SnapshotFile file = write(new SnapshotStore(dir), section("sessions", 1, new byte[5]));
        overwrite(file.path(), 60, new byte[] {(byte) 200});

        assertCorruptEverywhere(file, "section 1 of 1 at byte 60: invalid name length 200");
    }

    @Test
    void tooManySectionsInTheHeaderAreRefused() throws IOException {
        SnapshotFile file = write(new SnapshotStore(dir), section("sessions", 1, new byte[5]));
        forgeHeader(file.path(), header -> header.putInt(44, 1000));

        assertCorruptEverywhere(file, "invalid section count 1000 at byte 44: a snapshot holds at most 64 sections");
    }

    @Test
    void aSectionCountLargerThanThePartHoldsIsDetected() throws IOException {
        SnapshotFile file = write(new SnapshotStore(dir), section("sessions", 1, new byte[5]));
        forgeHeader(file.path(), header -> header.putInt(44, 2));

        assertCorruptEverywhere(file, "section 2 of 2 at byte " + (60 + SESSIONS_FRAME + 5)
                + ": Reprise's part ends at byte " + (60 + SESSIONS_FRAME + 5));
    }

    @Test
    void aPartLengthThatDisagreesWithItsSectionsIsDetected() throws IOException {
        SnapshotFile file = write(new SnapshotStore(dir), section("sessions", 1, new byte[5]));
        forgeHeader(file.path(), header -> header.putLong(48, header.getLong(48) + 1).putLong(32, PAYLOAD.length - 1));

        assertCorruptEverywhere(file, "the 1 section(s) of Reprise's part end at byte " + (60 + SESSIONS_FRAME + 5)
                + ", but the header says the part runs to byte " + (60 + SESSIONS_FRAME + 6));
    }

    @Test
    void aFileCutInsideThePartIsDetected() throws IOException {
        SnapshotFile file = write(new SnapshotStore(dir), section("sessions", 1, new byte[5]));
        try (FileChannel channel = FileChannel.open(file.path(), StandardOpenOption.WRITE)) {
            channel.truncate(70);
        }

        assertCorruptEverywhere(file, "truncated: the header says Reprise's part runs from byte 60 to byte "
                + (60 + SESSIONS_FRAME + 5) + ", but the file has only 70 bytes");
    }

    @Test
    void aSectionOfANameThisReleaseDoesNotKnowIsReadLikeAnyOther() throws IOException {
        SnapshotFile file = write(new SnapshotStore(dir), section("from-a-newer-release", 9, new byte[] {1, 2}),
                section("sessions", 1, new byte[] {3}));

        ReprisePart part = file.readPart();
        assertThat(part.section("sessions").orElseThrow().bytes()).containsExactly(3);
        assertThat(part.sections()).hasSize(2);
        assertThat(read(file)).isEqualTo(PAYLOAD);
    }

    @Test
    void theWriterRefusesBadNamesVersionsDuplicatesAndTooManySections() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        try (PendingSnapshot pending = store.begin()) {
            for (String bad : new String[] {"", "Sessions", "with space", "x".repeat(33), "é"}) {
                assertThatThrownBy(() -> pending.writeSection(bad, 1, out -> { }))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a-z 0-9 . _ -");
            }
            assertThatThrownBy(() -> pending.writeSection("sessions", 256, out -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 to 255");
            for (int i = 0; i < 64; i++) {
                pending.writeSection("s" + i, 1, out -> out.write(1));
            }
            assertThatThrownBy(() -> pending.writeSection("s0", 1, out -> { }))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a section \"s0\"");
            assertThatThrownBy(() -> pending.writeSection("s64", 1, out -> { }))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("64 sections");
            pending.stream().write(PAYLOAD);
            SnapshotFile file = pending.commit(3);

            assertThat(file.readPart().sections()).hasSize(64);
            assertThat(read(file)).isEqualTo(PAYLOAD);
        }
    }

    @Test
    void aSectionAfterThePayloadHasBegunIsRefused() throws IOException {
        try (PendingSnapshot pending = new SnapshotStore(dir).begin()) {
            pending.stream().write(1);

            assertThatThrownBy(() -> pending.writeSection("sessions", 1, out -> { }))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("payload has begun");
        }
    }

    @Test
    void aSectionWriterThatThrowsAbortsTheSnapshot() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        try (PendingSnapshot pending = store.begin()) {
            assertThatThrownBy(() -> pending.writeSection("sessions", 1, out -> {
                out.write(new byte[100]);
                throw new IOException("session table locked");
            })).hasMessage("session table locked");

            assertThat(names(dir)).isEmpty();
            assertThatThrownBy(() -> pending.commit(1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("aborted");
        }
    }

    private record Section(String name, int version, byte[] bytes) {
    }

    private static Section section(String name, int version, byte[] bytes) {
        return new Section(name, version, bytes);
    }

    private static SnapshotFile write(SnapshotStore store, Section... sections) throws IOException {
        try (PendingSnapshot pending = store.begin()) {
            for (Section section : sections) {
                pending.writeSection(section.name(), section.version(), out -> out.write(section.bytes()));
            }
            pending.stream().write(PAYLOAD);
            return pending.commit(5);
        }
    }

    /** Every way of reading the file refuses it with the same problem. */
    private static AbstractThrowableAssert<?, ? extends Throwable> assertCorruptEverywhere(SnapshotFile file,
            String problem) {
        String start = "Corrupt snapshot " + file.path() + ": " + problem;
        assertThatThrownBy(file::readPart).isInstanceOf(CorruptSnapshotException.class).hasMessageStartingWith(start);
        assertThatThrownBy(file::openVerified).isInstanceOf(CorruptSnapshotException.class).hasMessageStartingWith(start);
        return assertThatThrownBy(file::verify)
                .isInstanceOfSatisfying(CorruptSnapshotException.class, e -> assertThat(e.file()).isEqualTo(file.path()))
                .hasMessageStartingWith(start);
    }

    private interface Edit {
        void apply(ByteBuffer bytes);
    }

    /** Changes header fields and gives the header a valid checksum again: damage the header checksum cannot see. */
    private static void forgeHeader(Path path, Edit edit) throws IOException {
        forge(path, 0, 60, edit);
    }

    /** Changes a section frame's fields and gives the frame a valid checksum again. */
    private static void forgeFrame(Path path, long offset, int nameLength, Edit edit) throws IOException {
        forge(path, offset, 1 + nameLength + 1 + 8 + 4 + 4, edit);
    }

    private static void forge(Path path, long offset, int size, Edit edit) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.allocate(size);
            channel.read(bytes, offset);
            edit.apply(bytes);
            bytes.putInt(size - 4, crc32c(Arrays.copyOf(bytes.array(), size - 4)));
            channel.write(bytes.rewind(), offset);
        }
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
}
