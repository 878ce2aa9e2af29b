package io.reprise.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.reprise.journal.JournalTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retention deletes whole days before a kept position, and never what that position needs. */
class JournalRetentionTest {

    private static final int DAYS = 12;
    private static final int PER_DAY = 5;

    @TempDir
    Path data;

    private final SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-11-01T08:00:00Z"));

    private Path dir() {
        return data.resolve("journal");
    }

    /** Twelve days (some skipped, as days without traffic are) of five entries each. */
    private List<List<Long>> days(Journal journal) {
        List<List<Long>> days = new ArrayList<>();
        for (int day = 0; day < DAYS; day++) {
            List<Long> positions = new ArrayList<>();
            for (int i = 0; i < PER_DAY; i++) {
                positions.add(journal.append("POST", "/d" + day + "/" + i, List.of(), null));
            }
            days.add(positions);
            clock.advanceMillis(TimeUnit.DAYS.toMillis(day % 4 == 3 ? 2 : 1));
        }
        return days;
    }

    /** What a crash in the middle of retention looks like to the code after it: nothing more runs. */
    static final class Crash extends Error {
        Crash() {
            super("the process died here");
        }
    }

    @Test
    void aCrashInTheMiddleOfRetentionLeavesAJournalThatSaysItIsNotWhole() throws IOException {
        long kept;
        try (Journal journal = Journal.open(dir(), clock)) {
            List<List<Long>> days = days(journal);
            kept = days.get(5).get(2);
            long floor = days.get(5).get(0);
            int[] calls = {0};
            assertThatThrownBy(() -> journal.deleteFilesBefore(kept, file -> {
                assertThat(journal.deletedBefore()).as("the marker is set before %s is deleted", file.getFileName())
                        .isEqualTo(floor);
                if (++calls[0] == 3) {
                    throw new Crash();
                }
                return java.nio.file.Files.deleteIfExists(file);
            })).isInstanceOf(Crash.class);
            assertThat(JournalFilesOnDisk.cycleFiles(dir())).as("two of five old days deleted").hasSize(DAYS - 2);
        }
        try (Journal reopened = Journal.open(dir(), clock)) {
            assertThat(reopened.deletedBefore()).as("after the crash, the journal is known to have lost its start")
                    .isNotEqualTo(Journal.NO_POSITION);
        }
    }

    @Test
    void deletesOnlyTheDaysBeforeTheKeptPositionAcrossManyDaysWhileTheJournalStaysUsable() throws IOException {
        try (Journal journal = Journal.open(dir(), clock)) {
            List<List<Long>> days = days(journal);
            List<Path> files = JournalFilesOnDisk.cycleFiles(dir());
            assertThat(files).hasSize(DAYS);
            int deletedSoFar = 0;

            // The oldest kept snapshot moves forward, sometimes to a day's first, middle or last entry.
            int[][] kept = {{0, 0}, {0, 4}, {1, 0}, {3, 2}, {3, 4}, {4, 0}, {7, 3}, {11, 0}, {11, 4}};
            for (int[] k : kept) {
                long position = days.get(k[0]).get(k[1]);

                List<Path> deleted = journal.deleteFilesBefore(position);

                assertThat(deleted).as("deleted for day %d entry %d", k[0], k[1])
                        .containsExactlyElementsOf(files.subList(deletedSoFar, k[0]));
                deletedSoFar = k[0];
                assertThat(JournalFilesOnDisk.cycleFiles(dir()).subList(0, DAYS - k[0])) // then the day the appends below go to
                        .containsExactlyElementsOf(files.subList(k[0], DAYS));
                assertThat(journal.firstPosition()).isEqualTo(days.get(k[0]).get(0));
                List<JournalEntry> after = readAll(journal, position);
                assertThat(after).hasSize((DAYS - k[0]) * PER_DAY - k[1] - 1 + extraAppended(journal, days));
                assertThat(readAll(journal, Journal.NO_POSITION).get(0).position()).isEqualTo(days.get(k[0]).get(0));
                assertThat(journal.countAfter(Journal.NO_POSITION)).isEqualTo(readAll(journal, Journal.NO_POSITION).size());
                journal.append("POST", "/appended-after-retention", List.of(), null);
            }
        }
        try (Journal journal = Journal.open(dir(), clock)) {
            List<JournalEntry> all = readAll(journal, Journal.NO_POSITION);
            assertThat(all.get(0).target()).isEqualTo("/d11/0");
            assertThat(all).extracting(JournalEntry::target).endsWith("/appended-after-retention");
            assertThat(journal.firstPosition()).isEqualTo(all.get(0).position());
        }
    }

    private static int extraAppended(Journal journal, List<List<Long>> days) {
        long lastOfHistory = days.get(DAYS - 1).get(PER_DAY - 1);
        return (int) journal.countAfter(lastOfHistory);
    }

    @Test
    void aReaderInsideAKeptDayIsNotDisturbedByRetention() throws IOException {
        try (Journal journal = Journal.open(dir(), clock)) {
            List<List<Long>> days = days(journal);
            try (JournalReader reader = journal.readAfter(days.get(5).get(1))) {
                assertThat(reader.next().target()).isEqualTo("/d5/2");

                journal.deleteFilesBefore(days.get(5).get(1));

                assertThat(JournalCrashTest.drain(reader)).hasSize((DAYS - 6) * PER_DAY + 2);
            }
        }
    }

    @Test
    void noPositionDeletesNothingAndAPositionPastTheEndIsRefused() throws IOException {
        try (Journal journal = Journal.open(dir(), clock)) {
            List<List<Long>> days = days(journal);
            long last = days.get(DAYS - 1).get(PER_DAY - 1);

            assertThat(journal.deleteFilesBefore(Journal.NO_POSITION)).isEmpty();
            assertThatThrownBy(() -> journal.deleteFilesBefore(last + 1))
                    .isInstanceOf(JournalException.class).hasMessageContaining("is not in the journal");
            assertThat(journal.deleteFilesBefore(last)).hasSize(DAYS - 1);
            assertThat(journal.deleteFilesBefore(last)).isEmpty();
            assertThat(readAll(journal, last)).isEmpty();
            assertThat(journal.firstPosition()).isEqualTo(days.get(DAYS - 1).get(0));
        }
    }

    @Test
    void firstPositionOfAnEmptyJournalIsNoPosition() throws IOException {
        try (Journal journal = Journal.open(dir(), clock)) {
            assertThat(journal.firstPosition()).isEqualTo(Journal.NO_POSITION);
            assertThat(journal.deletedBefore()).isEqualTo(Journal.NO_POSITION);
        }
    }

    @Test
    void theJournalRemembersAcrossRestartsThatRetentionCutItsHistory() throws IOException {
        long kept;
        try (Journal journal = Journal.open(dir(), clock)) {
            List<List<Long>> days = days(journal);
            assertThat(journal.deleteFilesBefore(days.get(0).get(3))).isEmpty();
            assertThat(journal.deletedBefore()).as("nothing deleted yet").isEqualTo(Journal.NO_POSITION);
            kept = days.get(2).get(1);
            journal.deleteFilesBefore(kept);
            assertThat(journal.deletedBefore()).isEqualTo(days.get(2).get(0));
        }
        try (Journal journal = Journal.open(dir(), clock)) {
            assertThat(journal.deletedBefore()).isEqualTo(journal.firstPosition()).isLessThan(kept);
        }
    }
}
