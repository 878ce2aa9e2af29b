package io.reprise.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.reprise.journal.JournalTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Truncating the journal at a corrupt entry: a copy first, then a journal that ends right before it. */
class JournalRepairTest {

    private static final Instant MONDAY = Instant.parse("2026-11-23T10:00:00Z");

    @TempDir
    Path data;

    private Path dir() {
        return data.resolve("journal");
    }

    /** Three days of four entries each: /d0/0 .. /d2/3. Returns the positions, in order. */
    private List<Long> threeDays(SetTimeProvider clock) throws IOException {
        List<Long> positions = new ArrayList<>();
        try (Journal journal = Journal.open(dir(), clock)) {
            for (int day = 0; day < 3; day++) {
                for (int i = 0; i < 4; i++) {
                    positions.add(journal.append("POST", "/d" + day + "/" + i, List.of(), new byte[] {(byte) i}));
                }
                clock.advanceMillis(TimeUnit.DAYS.toMillis(1));
            }
        }
        return positions;
    }

    @Test
    void truncatingAtACorruptEntryKeepsACopyAndLeavesAJournalThatReadsAndAppendsCleanly() throws IOException {
        SetTimeProvider clock = new SetTimeProvider(MONDAY);
        List<Long> positions = threeDays(clock);
        List<Path> files = JournalFilesOnDisk.cycleFiles(dir());
        Path tuesday = files.get(1);
        JournalFilesOnDisk.flipByte(tuesday, JournalFilesOnDisk.entryOffsets(tuesday).get(2) + 4 + 12);
        Map<String, String> original = JournalFilesOnDisk.digests(dir());

        long corrupt;
        try (Journal journal = Journal.open(dir(), clock)) {
            corrupt = assertThatThrownBy(() -> readAll(journal, Journal.NO_POSITION))
                    .isInstanceOf(JournalCorruptException.class)
                    .actual() instanceof JournalCorruptException e ? e.position() : -1;
        }
        assertThat(corrupt).isEqualTo(positions.get(6));

        JournalTruncation cut = JournalRepair.truncateAt(dir(), corrupt);

        // The copy: the cut day and every later day, byte for byte, beside the journal.
        assertThat(cut.copyDirectory().getParent()).isEqualTo(data.toRealPath());
        assertThat(cut.copyDirectory().getFileName().toString()).startsWith("journal-cut-");
        assertThat(cut.copiedFiles()).extracting(p -> p.getFileName().toString())
                .containsExactly("20261124F.cq4", "20261125F.cq4");
        for (Path copy : cut.copiedFiles()) {
            assertThat(JournalFilesOnDisk.digest(copy)).as(copy.toString()).isEqualTo(original.get(copy.getFileName().toString()));
        }
        assertThat(Files.readString(cut.copyDirectory().resolve("README.txt"))).contains("cut at position:   " + corrupt);
        // The journal: Monday untouched, Tuesday rewritten to end before the corrupt entry, Wednesday gone.
        assertThat(cut.lastKeptPosition()).isEqualTo(positions.get(5));
        assertThat(cut.rewrittenFile()).isEqualTo(tuesday.toRealPath());
        assertThat(cut.removedFiles()).extracting(p -> p.getFileName().toString()).containsExactly("20261125F.cq4");
        assertThat(JournalFilesOnDisk.digests(dir())).containsEntry("20261123F.cq4", original.get("20261123F.cq4"))
                .doesNotContainKey("20261125F.cq4");
        assertThat(data.resolve(".journal-repair-")).doesNotExist();
        try (var leftovers = Files.list(data)) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".journal-repair"));
        }

        SetTimeProvider tuesdayClock = new SetTimeProvider(MONDAY.plus(1, java.time.temporal.ChronoUnit.DAYS));
        try (Journal journal = Journal.open(dir(), tuesdayClock)) {
            assertThat(journal.lastPosition()).isEqualTo(positions.get(5));
            assertThat(readAll(journal, Journal.NO_POSITION)).extracting(JournalEntry::target)
                    .containsExactly("/d0/0", "/d0/1", "/d0/2", "/d0/3", "/d1/0", "/d1/1");
            assertThat(readAll(journal, positions.get(2))).extracting(JournalEntry::position)
                    .containsExactlyElementsOf(positions.subList(3, 6));

            long next = journal.append("POST", "/after-repair", List.of(), null);

            assertThat(next).as("the next append takes the cut position").isEqualTo(corrupt);
            assertThat(readAll(journal, positions.get(5))).extracting(JournalEntry::target).containsExactly("/after-repair");
        }
        try (Journal journal = Journal.open(dir(), clock)) { // Thursday: rolls past the repaired day
            long thursday = journal.append("POST", "/thursday", List.of(), null);
            assertThat(readAll(journal, Journal.NO_POSITION)).extracting(JournalEntry::target)
                    .containsExactly("/d0/0", "/d0/1", "/d0/2", "/d0/3", "/d1/0", "/d1/1", "/after-repair", "/thursday");
            assertThat(journal.countAfter(Journal.NO_POSITION)).isEqualTo(8);
            assertThat(journal.lastPosition()).isEqualTo(thursday);
        }
    }

    @Test
    void truncatingAtTheFirstEntryOfADayRemovesThatDaysFile() throws IOException {
        SetTimeProvider clock = new SetTimeProvider(MONDAY);
        List<Long> positions = threeDays(clock);

        JournalTruncation cut = JournalRepair.truncateAt(dir(), positions.get(4));

        assertThat(cut.rewrittenFile()).isNull();
        assertThat(cut.lastKeptPosition()).isEqualTo(positions.get(3));
        assertThat(cut.removedFiles()).extracting(p -> p.getFileName().toString())
                .containsExactly("20261124F.cq4", "20261125F.cq4");
        try (Journal journal = Journal.open(dir(), clock)) {
            assertThat(readAll(journal, Journal.NO_POSITION)).extracting(JournalEntry::position)
                    .containsExactlyElementsOf(positions.subList(0, 4));
            long next = journal.append("POST", "/next", List.of(), null);
            assertThat(readAll(journal, positions.get(3))).extracting(JournalEntry::position).containsExactly(next);
        }
    }

    @Test
    void anEarlierDamagedEntryIsNamedAndNothingIsChanged() throws IOException {
        SetTimeProvider clock = new SetTimeProvider(MONDAY);
        List<Long> positions = threeDays(clock);
        Path tuesday = JournalFilesOnDisk.cycleFiles(dir()).get(1);
        JournalFilesOnDisk.flipByte(tuesday, JournalFilesOnDisk.entryOffsets(tuesday).get(1) + 4 + 12);
        Map<String, String> before = JournalFilesOnDisk.digests(dir());

        assertThatThrownBy(() -> JournalRepair.truncateAt(dir(), positions.get(7)))
                .isInstanceOf(JournalException.class)
                .hasMessageContaining("position " + positions.get(5) + ", before position " + positions.get(7) + ", is damaged too")
                .hasMessageContaining("truncate at position " + positions.get(5) + " instead");

        assertThat(withoutMetadata(JournalFilesOnDisk.digests(dir()))).isEqualTo(withoutMetadata(before));
        try (var entries = Files.list(data)) {
            assertThat(entries.map(p -> p.getFileName().toString())).containsExactly("journal");
        }
    }

    @Test
    void aPositionOutsideTheJournalOrAnOpenJournalIsRefused() throws IOException {
        SetTimeProvider clock = new SetTimeProvider(MONDAY);
        List<Long> positions = threeDays(clock);

        assertThatThrownBy(() -> JournalRepair.truncateAt(dir(), positions.get(11) + 1))
                .isInstanceOf(JournalException.class).hasMessageContaining("no entry at or after position");
        assertThatThrownBy(() -> JournalRepair.truncateAt(dir(), positions.get(11) + (10L << 32)))
                .isInstanceOf(JournalException.class).hasMessageContaining("no journal file holds its day");
        try (Journal journal = Journal.open(dir(), clock)) {
            assertThatThrownBy(() -> JournalRepair.truncateAt(dir(), positions.get(6)))
                    .isInstanceOf(JournalException.class).hasMessageContaining("is open in this JVM");
        }
        try (Journal journal = Journal.open(dir(), clock)) {
            assertThat(readAll(journal, Journal.NO_POSITION)).hasSize(12);
        }
    }

    private static Map<String, String> withoutMetadata(Map<String, String> digests) {
        Map<String, String> copy = new java.util.TreeMap<>(digests);
        copy.remove(StaleWriteLocks.METADATA_FILE);
        return copy;
    }
}
