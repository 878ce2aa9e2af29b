package io.reprise.bench.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.journal.Header;
import io.reprise.journal.Journal;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.JournalReader;
import io.reprise.journal.Outcome;
import io.reprise.snapshot.store.SnapshotFile;
import io.reprise.snapshot.store.SnapshotStore;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journals of the recovery step are written as the agent writes them: each request, then its outcome. */
class JournalFillerTest {

    private static final JournalEntry TEMPLATE = new JournalEntry(0, 0, "POST", "/counter/increment",
            List.of(new Header("Host", "127.0.0.1:8080")), new byte[0]);

    @Test
    void followsEveryRequestWithTheOutcomeTheCounterAnswered(@TempDir Path dir) throws Exception {
        JournalFiller.Filled filled = JournalFiller.fill(dir, TEMPLATE, 200, 25, 10);

        assertThat(filled.entries()).isEqualTo(25);
        List<JournalEntry> entries = read(dir);
        assertThat(entries).hasSize(25);
        for (int i = 0; i < entries.size(); i++) {
            JournalEntry e = entries.get(i);
            assertThat(e.outcomeMissing()).as("entry %d", i + 1).isFalse();
            byte[] body = Long.toString(i + 1).getBytes(StandardCharsets.UTF_8);
            assertThat(e.outcome()).as("entry %d", i + 1).isEqualTo(Outcome.answered(200, Outcome.digest(body, 0, body.length)));
            assertThat(e.method()).isEqualTo("POST");
            assertThat(e.target()).isEqualTo("/counter/increment");
        }
    }

    @Test
    void takesSnapshotsAtTheOutcomeRecordAsTheAgentDoes(@TempDir Path dir) throws Exception {
        JournalFiller.Filled filled = JournalFiller.fill(dir, TEMPLATE, 200, 25, 10);

        assertThat(filled.snapshotEntries()).isEqualTo(20);
        List<JournalEntry> entries = read(dir);
        List<SnapshotFile> snapshots = new SnapshotStore(dir.resolve("snapshots")).list();
        assertThat(snapshots).hasSize(2);
        List<Long> held = new ArrayList<>();
        for (SnapshotFile f : snapshots) {
            try (InputStream in = f.openVerified()) {
                held.add(new DataInputStream(in).readLong());
            }
            int count = (int) held.get(held.size() - 1).longValue();
            // After the count-th request's own record and before the next request's: its outcome record.
            assertThat(f.position()).isGreaterThan(entries.get(count - 1).position()).isLessThan(entries.get(count).position());
        }
        assertThat(held).containsExactlyInAnyOrder(10L, 20L);
    }

    @Test
    void counterOutcomeDigestsTheDecimalValue() {
        assertThat(JournalFiller.counterOutcome(200, new byte[0], 1)).isEqualTo(Outcome.answered(200, Outcome.digest(new byte[] {'1'}, 0, 1)));
        assertThat(JournalFiller.counterOutcome(200, new byte[0], 12).bodyDigest() & 0xFFFF_FFFFL).isEqualTo(2);
        assertThat(JournalFiller.counterOutcome(200, new byte[] {2}, 1).recorded()).containsExactly(2);
    }

    private static List<JournalEntry> read(Path dir) throws Exception {
        List<JournalEntry> entries = new ArrayList<>();
        try (Journal journal = Journal.open(dir.resolve("journal")); JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            JournalEntry e;
            while ((e = reader.next()) != null && entries.size() < 1_000) {
                entries.add(e);
            }
        }
        return entries;
    }
}
