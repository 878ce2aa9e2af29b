package io.reprise.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Entries come back with the outcome recorded after them; outcome records never come back on their own. */
class JournalOutcomeTest {

    private static final Outcome CREATED = Outcome.answered(201, Outcome.digest(new byte[]{7}, 0, 1));
    private static final Outcome THREW = Outcome.threw("java.lang.IllegalStateException", "no item 7");

    @TempDir
    Path data;

    private Path dir() {
        return data.resolve("journal");
    }

    @Test
    void eachEntryComesBackWithItsOutcomeAndOutcomeRecordsAreNotEntries() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            long a = journal.appendRequest("POST", "/items", List.of(new Header("X-A", "1")), "a".getBytes(StandardCharsets.UTF_8));
            long aOutcome = journal.appendOutcome(a, CREATED);
            long b = journal.appendRequest("DELETE", "/items/7", List.of(), null);
            long bOutcome = journal.appendOutcome(b, THREW.withRecorded(new byte[]{1, 2}));

            assertThat(List.of(a, aOutcome, b, bOutcome)).isSorted().doesNotHaveDuplicates();
            assertThat(journal.lastPosition()).as("the last record, an outcome").isEqualTo(bOutcome);
            assertThat(journal.countAfter(Journal.NO_POSITION)).as("records, not requests").isEqualTo(4);

            List<JournalEntry> entries = readAll(journal, Journal.NO_POSITION);
            assertThat(entries).extracting(JournalEntry::position).containsExactly(a, b);
            assertThat(entries.get(0)).isEqualTo(new JournalEntry(a, entries.get(0).timeMillis(), "POST", "/items",
                    List.of(new Header("X-A", "1")), "a".getBytes(StandardCharsets.UTF_8), CREATED, true));
            assertThat(entries.get(1).outcome()).isEqualTo(THREW.withRecorded(new byte[]{1, 2}));
            assertThat(entries).noneMatch(JournalEntry::outcomeMissing);
        }
    }

    @Test
    void agentRecordsComeBackInJournalOrderAmongTheRequestsAndNeverAsRequests() throws IOException {
        byte[] change = {1, 2, 3};
        try (Journal journal = Journal.open(dir())) {
            long a = journal.appendRequest("POST", "/a", List.of(), null);
            journal.appendOutcome(a, CREATED);
            long record = journal.appendRecord("session", "tomcat:localhost|", change);
            long b = journal.appendRequest("POST", "/b", List.of(), null);
            journal.appendOutcome(b, CREATED);

            assertThatThrownBy(() -> journal.appendRecord("Session!", "x", change))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Session!");
            assertThatThrownBy(() -> journal.appendRequest("@session", "/x", List.of(), null))
                    .as("no request can pass for an agent record").isInstanceOf(IllegalArgumentException.class);

            List<JournalEntry> entries = readAll(journal, Journal.NO_POSITION);
            assertThat(entries).extracting(JournalEntry::position).containsExactly(a, record, b);
            JournalEntry read = entries.get(1);
            assertThat(read.agentRecord()).isTrue();
            assertThat(read.recordType()).isEqualTo("session");
            assertThat(read.target()).isEqualTo("tomcat:localhost|");
            assertThat(read.body()).containsExactly(change);
            assertThat(read.outcome()).isNull();
            assertThat(read.outcomeMissing()).isFalse();
            assertThat(entries.get(0).agentRecord()).isFalse();
            assertThat(entries.get(0).recordType()).isNull();
            assertThat(entries.get(0).outcome()).as("the record after a request's outcome does not take its place")
                    .isEqualTo(CREATED);
        }
    }

    @Test
    void anEntryWhoseOutcomeNeverCameIsReturnedWithoutOneInTheMiddleAndAtTheEnd() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            long a = journal.appendRequest("POST", "/a", List.of(), null); // died before its outcome
            long b = journal.appendRequest("POST", "/b", List.of(), null);
            journal.appendOutcome(b, CREATED);
            long legacy = journal.append("POST", "/legacy", List.of(), null);
            long c = journal.appendRequest("POST", "/c", List.of(), null); // died before its outcome, at the end

            List<JournalEntry> entries = readAll(journal, Journal.NO_POSITION);

            assertThat(entries).extracting(JournalEntry::position).containsExactly(a, b, legacy, c);
            assertThat(entries).extracting(JournalEntry::outcomeMissing).containsExactly(true, false, false, true);
            assertThat(entries).extracting(JournalEntry::outcome).containsExactly(null, CREATED, null, null);
            assertThat(entries.get(2).outcomeExpected()).isFalse();
        }
    }

    @Test
    void readingAfterAnEntrySkipsItsOutcomeAndReadingAfterAnOutcomeStartsAtTheNextEntry() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            long a = journal.appendRequest("POST", "/a", List.of(), null);
            long aOutcome = journal.appendOutcome(a, CREATED);
            long b = journal.appendRequest("POST", "/b", List.of(), null);
            long bOutcome = journal.appendOutcome(b, THREW);
            long c = journal.appendRequest("POST", "/c", List.of(), null);
            journal.appendOutcome(c, CREATED);

            assertThat(readAll(journal, a)).extracting(JournalEntry::position).containsExactly(b, c);
            assertThat(readAll(journal, a).get(0).outcome()).isEqualTo(THREW);
            assertThat(readAll(journal, aOutcome)).extracting(JournalEntry::position).containsExactly(b, c);
            assertThat(readAll(journal, bOutcome)).extracting(JournalEntry::position).containsExactly(c);
            assertThat(readAll(journal, c)).isEmpty();
        }
    }

    @Test
    void aJournalOfKind1EntriesReadsAsBefore() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            long a = journal.append("POST", "/a", List.of(), null);
            long b = journal.append("POST", "/b", List.of(), null);

            List<JournalEntry> entries = readAll(journal, Journal.NO_POSITION);

            assertThat(b).isEqualTo(a + 1);
            assertThat(entries).containsExactly(new JournalEntry(a, entries.get(0).timeMillis(), "POST", "/a", List.of(), new byte[0]),
                    new JournalEntry(b, entries.get(1).timeMillis(), "POST", "/b", List.of(), new byte[0]));
            assertThat(readAll(journal, a)).extracting(JournalEntry::target).containsExactly("/b");
        }
    }

    @Test
    void aCorruptOutcomeIsCorruptionAtItsOwnPositionAfterItsEntryIsReturned() throws IOException {
        long request;
        long outcome;
        try (Journal journal = Journal.open(dir())) {
            journal.append("POST", "/before", List.of(), null);
            request = journal.appendRequest("POST", "/items", List.of(), null);
            outcome = journal.appendOutcome(request, CREATED);
            journal.appendRequest("POST", "/after", List.of(), null);
        }
        Path file = JournalFilesOnDisk.cycleFiles(dir()).get(0).toRealPath();
        JournalFilesOnDisk.flipByte(file, JournalFilesOnDisk.entryOffsets(file).get(2) + 4 + 14); // in the outcome

        try (Journal journal = Journal.open(dir()); JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            assertThat(reader.next().target()).isEqualTo("/before");
            JournalEntry entry = reader.next();
            assertThat(entry.position()).isEqualTo(request);
            assertThat(entry.outcomeMissing()).isTrue();
            assertThatThrownBy(reader::next)
                    .isInstanceOfSatisfying(JournalCorruptException.class, e -> {
                        assertThat(e.position()).isEqualTo(outcome);
                        assertThat(e.file()).isEqualTo(file);
                    })
                    .hasMessageContaining("checksum mismatch")
                    .hasMessageContaining("truncate --at " + outcome + " ");
            assertThat(reader.next().target()).as("the reader stands after the damaged record").isEqualTo("/after");
        }
    }

    @Test
    void aZeroedOutcomeHeaderInTheMiddleIsCorruptionNotAnEnd() throws IOException {
        long outcome;
        long last;
        try (Journal journal = Journal.open(dir())) {
            long request = journal.appendRequest("POST", "/items", List.of(), null);
            outcome = journal.appendOutcome(request, CREATED);
            journal.appendRequest("POST", "/after", List.of(), null);
            last = journal.appendOutcome(outcome + 1, CREATED);
        }
        Path file = JournalFilesOnDisk.cycleFiles(dir()).get(0).toRealPath();
        JournalFilesOnDisk.zeroHeader(file, JournalFilesOnDisk.entryOffsets(file).get(1));

        try (Journal journal = Journal.open(dir()); JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            assertThat(reader.next().outcomeMissing()).isTrue();
            assertThatThrownBy(reader::next)
                    .isInstanceOfSatisfying(JournalCorruptException.class, e -> assertThat(e.position()).isEqualTo(outcome))
                    .hasMessageContaining("index lists entries up to position " + last);
        }
    }

    @Test
    void truncatingAtACorruptOutcomeKeepsItsEntryWhichThenMissesItsOutcome() throws IOException {
        long request;
        long outcome;
        try (Journal journal = Journal.open(dir())) {
            long first = journal.appendRequest("POST", "/first", List.of(), null);
            journal.appendOutcome(first, CREATED);
            request = journal.appendRequest("POST", "/items", List.of(), null);
            outcome = journal.appendOutcome(request, THREW);
            journal.appendRequest("POST", "/after", List.of(), null);
        }
        Path file = JournalFilesOnDisk.cycleFiles(dir()).get(0).toRealPath();
        JournalFilesOnDisk.flipByte(file, JournalFilesOnDisk.entryOffsets(file).get(3) + 4 + 14);

        JournalTruncation cut = JournalRepair.truncateAt(dir(), outcome);

        assertThat(cut.lastKeptPosition()).isEqualTo(request);
        try (Journal journal = Journal.open(dir())) {
            List<JournalEntry> entries = readAll(journal, Journal.NO_POSITION);
            assertThat(entries).extracting(JournalEntry::target).containsExactly("/first", "/items");
            assertThat(entries.get(0).outcome()).as("outcomes before the cut are copied").isEqualTo(CREATED);
            assertThat(entries.get(1).outcomeMissing()).isTrue();
            assertThat(journal.appendOutcome(request, THREW)).isEqualTo(outcome);
            assertThat(readAll(journal, Journal.NO_POSITION).get(1).outcome()).isEqualTo(THREW);
        }
    }

    @Test
    void aReaderAtTheLiveEndReturnsAnEntryBeforeItsOutcomeIsWrittenAndThenSkipsTheOutcome() throws IOException {
        try (Journal journal = Journal.open(dir()); JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            long a = journal.appendRequest("POST", "/a", List.of(), null);
            JournalEntry early = reader.next();
            assertThat(early.position()).isEqualTo(a);
            assertThat(early.outcomeMissing()).as("not written yet").isTrue();

            journal.appendOutcome(a, CREATED);
            assertThat(reader.next()).as("the outcome is not returned on its own").isNull();
            long b = journal.appendRequest("POST", "/b", List.of(), null);
            journal.appendOutcome(b, CREATED);
            assertThat(reader.next()).satisfies(e -> {
                assertThat(e.position()).isEqualTo(b);
                assertThat(e.outcome()).isEqualTo(CREATED);
            });
            assertThat(reader.next()).isNull();
        }
    }

    @Test
    void theReadOnlyViewPairsEntriesWithOutcomesToo() throws IOException {
        long a;
        long aOutcome;
        try (Journal journal = Journal.open(dir())) {
            a = journal.appendRequest("POST", "/a", List.of(), null);
            aOutcome = journal.appendOutcome(a, CREATED);
            journal.appendRequest("POST", "/b", List.of(), null);
        }
        try (JournalFiles files = JournalFiles.open(dir())) {
            assertThat(files.lastPosition()).isEqualTo(aOutcome + 1);
            try (JournalReader reader = files.readFrom(Journal.NO_POSITION)) {
                assertThat(reader.next().outcome()).isEqualTo(CREATED);
                assertThat(reader.next().outcomeMissing()).isTrue();
                assertThat(reader.next()).isNull();
            }
            try (JournalReader reader = files.readFrom(aOutcome)) {
                assertThat(reader.next().target()).as("from an outcome's position: the next entry").isEqualTo("/b");
            }
        }
    }

    @Test
    void appendingAnOutcomeToAClosedJournalFails() throws IOException {
        Journal journal = Journal.open(dir());
        long a = journal.appendRequest("POST", "/a", List.of(), null);
        journal.close();
        assertThatThrownBy(() -> journal.appendOutcome(a, CREATED)).isInstanceOf(JournalException.class)
                .hasMessageContaining("closed");
    }

    private static List<JournalEntry> readAll(Journal journal, long after) {
        List<JournalEntry> entries = new ArrayList<>();
        try (JournalReader reader = journal.readAfter(after)) {
            for (JournalEntry e = reader.next(); e != null && entries.size() < 100; e = reader.next()) {
                entries.add(e);
            }
        }
        return entries;
    }
}
