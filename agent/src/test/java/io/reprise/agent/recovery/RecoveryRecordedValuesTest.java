package io.reprise.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.agent.bridge.Determinism;
import io.reprise.agent.bridge.Tape;
import io.reprise.agent.lifecycle.Lifecycles;
import io.reprise.journal.Journal;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.Outcome;
import io.reprise.snapshot.store.SnapshotStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery hands each replayed entry the values recorded with its outcome, and reports a replay that needs more. */
class RecoveryRecordedValuesTest {

    @TempDir
    Path dir;
    Journal journal;
    SnapshotStore store;
    final List<UUID> live = new ArrayList<>();
    final List<UUID> replayed = new ArrayList<>();
    long second;

    /** Two requests; the first drew one UUID live, the second two. */
    @BeforeEach
    void journal() throws Exception {
        journal = Journal.open(dir.resolve("journal"));
        store = new SnapshotStore(dir.resolve("snapshots"));
        append("/one", 1);
        second = append("/two", 2);
    }

    private long append(String target, int ids) {
        long p = journal.appendRequest("POST", target, List.of(), null);
        Tape tape = Tape.recording();
        Tape outer = Determinism.begin(tape);
        try {
            for (int i = 0; i < ids; i++) {
                live.add(Determinism.randomUUID());
            }
        } finally {
            Determinism.end(outer);
        }
        journal.appendOutcome(p, Outcome.answered(201, 0).withRecorded(tape.encode()));
        return p;
    }

    @AfterEach
    void close() {
        journal.close();
    }

    /** A replayer as the adapters are: it takes the armed tape on the thread that runs the handler. */
    private Replayer drawing(int extraOnTwo) {
        return (JournalEntry entry) -> {
            Tape outer = Determinism.begin(Determinism.takeArmed());
            try {
                int ids = (entry.target().equals("/one") ? 1 : 2) + (entry.target().equals("/two") ? extraOnTwo : 0);
                for (int i = 0; i < ids; i++) {
                    replayed.add(Determinism.randomUUID());
                }
            } finally {
                Determinism.end(outer);
            }
            return Outcome.answered(201, 0);
        };
    }

    private Recovery recovery(boolean stopOnDivergence) {
        return new Recovery(journal, store, null, new Lifecycles(), false, null, false, stopOnDivergence);
    }

    @Test
    void replayGetsTheIdsDrawnLive() {
        RecoveryReport report = recovery(false).replayRecordedValues(true).run(drawing(0));
        assertThat(replayed).isEqualTo(live);
        assertThat(report.diverged()).isZero();
    }

    @Test
    void withoutRecordedValuesReplayDrawsFreshIds() {
        RecoveryReport report = recovery(false).replayRecordedValues(false).run(drawing(0));
        assertThat(replayed).hasSize(3).doesNotContainAnyElementsOf(live);
        assertThat(report.diverged()).isZero(); // the statuses agree; compare=body would tell
    }

    @Test
    void drawingMoreIdsThanRecordedIsADivergenceNamingTheEntry() {
        RecoveryReport report = recovery(false).replayRecordedValues(true).run(drawing(1));
        assertThat(replayed.subList(0, 3)).isEqualTo(live);
        assertThat(replayed.get(3)).isNotIn(live);
        assertThat(report.diverged()).isEqualTo(1);
        assertThat(report.divergences()).singleElement().asString()
                .startsWith("journal position " + second + " (POST /two): replay drew more UUID values")
                .contains("2 recorded, 3 drawn");
        assertThatThrownBy(() -> recovery(true).replayRecordedValues(true).run(drawing(1)))
                .hasMessageContaining("replay diverged at journal position " + second);
    }
}
