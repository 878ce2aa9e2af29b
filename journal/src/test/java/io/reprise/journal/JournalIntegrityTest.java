package io.reprise.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import static io.reprise.journal.JournalCrashTest.drain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Damage in the middle of the journal stops the read with the position; newer formats are refused untouched. */
class JournalIntegrityTest {

    @TempDir
    Path data;

    private Path dir() {
        return data.resolve("journal");
    }

    @Test
    void aFlippedByteInTheMiddleStopsTheReadNamingFilePositionOptionAndCommand() throws IOException {
        List<Long> positions = appendFive();
        Path file = JournalFilesOnDisk.cycleFiles(dir()).get(0).toRealPath();
        long secondEntry = JournalFilesOnDisk.entryOffsets(file).get(2);
        JournalFilesOnDisk.flipByte(file, secondEntry + 4 + 12); // inside the entry, past version, kind, time

        try (Journal journal = Journal.open(dir()); JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            assertThat(reader.next().target()).isEqualTo("/n/0");
            assertThat(reader.next().target()).isEqualTo("/n/1");
            assertThatThrownBy(reader::next)
                    .isInstanceOfSatisfying(JournalCorruptException.class, e -> {
                        assertThat(e.position()).isEqualTo(positions.get(2));
                        assertThat(e.file()).isEqualTo(file);
                    })
                    .hasMessageContaining("position " + positions.get(2) + " in " + file)
                    .hasMessageContaining("reprise.recovery.truncate-corrupt=true")
                    .hasMessageContaining("truncate --at " + positions.get(2) + " " + data.toRealPath());
        }
    }

    @Test
    void aZeroedEntryHeaderInTheMiddleIsCorruptionNotAnEnd() throws IOException {
        List<Long> positions = appendFive();
        Path file = JournalFilesOnDisk.cycleFiles(dir()).get(0).toRealPath();
        JournalFilesOnDisk.zeroHeader(file, JournalFilesOnDisk.entryOffsets(file).get(2));

        try (Journal journal = Journal.open(dir()); JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            assertThat(reader.next().target()).isEqualTo("/n/0");
            assertThat(reader.next().target()).isEqualTo("/n/1");
            assertThatThrownBy(reader::next)
                    .isInstanceOfSatisfying(JournalCorruptException.class,
                            e -> assertThat(e.position()).isEqualTo(positions.get(2)))
                    .hasMessageContaining("index lists entries up to position " + positions.get(4));
        }
    }

    @Test
    void anEntryOfANewerFormatIsRefusedAndTheJournalIsLeftUntouched() throws IOException {
        long newer;
        try (Journal journal = Journal.open(dir())) {
            journal.append("POST", "/old", List.of(), null);
            EntryCodec codec = new EntryCodec(1 << 20);
            int length = codec.encode(System.currentTimeMillis(), "POST", "/from-the-future", List.of(),
                    "v2".getBytes(StandardCharsets.UTF_8));
            byte[] entry = java.util.Arrays.copyOf(codec.buffer(), length);
            entry[0] = 2; // format version 2, with a valid checksum, as a newer Reprise would write it
            CRC32C crc = new CRC32C();
            crc.update(entry, 0, length - 4);
            java.nio.ByteBuffer.wrap(entry, length - 4, 4).putInt((int) crc.getValue());
            try (var document = journal.appender().writingDocument()) {
                document.wire().bytes().write(entry);
            }
            newer = journal.appender().lastIndexAppended();
        }
        Map<String, String> before = JournalFilesOnDisk.digests(dir());

        try (Journal journal = Journal.open(dir()); JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            assertThat(reader.next().target()).isEqualTo("/old");
            assertThatThrownBy(reader::next)
                    .isInstanceOf(UnsupportedJournalFormatException.class)
                    .hasMessageContaining("position " + newer)
                    .hasMessageContaining("journal format version 2")
                    .hasMessageContaining("reads journal format version 1");
        }

        Map<String, String> after = JournalFilesOnDisk.digests(dir());
        // Chronicle's own bookkeeping file (directory listing, lock words) is rewritten by any open;
        // the journal's entries are in the cycle files, which must be byte for byte as they were.
        before.remove(StaleWriteLocks.METADATA_FILE);
        after.remove(StaleWriteLocks.METADATA_FILE);
        assertThat(after).isEqualTo(before);
    }

    @Test
    void aReadOnlyViewReadsTheSameEntriesAndChangesNoFile() throws IOException {
        List<Long> positions = appendFive();
        Map<String, String> before = JournalFilesOnDisk.digests(dir());

        try (JournalFiles files = JournalFiles.open(dir())) {
            assertThat(files.firstPosition()).isEqualTo(positions.get(0));
            assertThat(files.lastPosition()).isEqualTo(positions.get(4));
            assertThat(files.files()).singleElement().satisfies(f -> {
                assertThat(f.entries()).isEqualTo(5);
                assertThat(f.firstPosition()).isEqualTo(positions.get(0));
                assertThat(f.lastPosition()).isEqualTo(positions.get(4));
            });
            try (JournalReader reader = files.readFrom(positions.get(3))) {
                assertThat(drain(reader)).containsExactly("/n/3", "/n/4");
            }
            try (JournalReader reader = files.readFrom(Journal.NO_POSITION)) {
                assertThat(drain(reader)).hasSize(5);
            }
            try (JournalReader reader = files.readFrom(positions.get(4) + 1)) {
                assertThat(reader.next()).isNull();
            }
        }

        assertThat(JournalFilesOnDisk.digests(dir())).isEqualTo(before);
    }

    private List<Long> appendFive() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            return List.of(
                    journal.append("POST", "/n/0", List.of(), "zero".getBytes(StandardCharsets.UTF_8)),
                    journal.append("POST", "/n/1", List.of(), "one".getBytes(StandardCharsets.UTF_8)),
                    journal.append("POST", "/n/2", List.of(), "two".getBytes(StandardCharsets.UTF_8)),
                    journal.append("POST", "/n/3", List.of(), "three".getBytes(StandardCharsets.UTF_8)),
                    journal.append("POST", "/n/4", List.of(), "four".getBytes(StandardCharsets.UTF_8)));
        }
    }
}
