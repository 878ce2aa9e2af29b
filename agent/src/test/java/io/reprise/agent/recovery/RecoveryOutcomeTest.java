package io.reprise.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.agent.lifecycle.Lifecycles;
import io.reprise.journal.Journal;
import io.reprise.journal.Outcome;
import io.reprise.snapshot.store.SnapshotStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** C9: each replayed entry is checked against the outcome recorded live; throwing the same way is no failure. */
class RecoveryOutcomeTest {

    static final long BODY = Outcome.digest(new byte[] {'o', 'k'}, 0, 2);

    @TempDir
    Path dir;
    Journal journal;
    SnapshotStore store;
    final Map<String, Long> positions = new HashMap<>();
    /** What each target answers on replay; by default what it answered live. */
    final Map<String, Outcome> replayAnswers = new HashMap<>();
    final List<String> replayed = new ArrayList<>();

    @BeforeEach
    void journal() throws Exception {
        journal = Journal.open(dir.resolve("journal"));
        store = new SnapshotStore(dir.resolve("snapshots"));
        live("/a", Outcome.answered(200, BODY));
        live("/b", Outcome.threw("java.lang.IllegalStateException", "no item 7"));
        positions.put("/c", journal.appendRequest("POST", "/c", List.of(), null)); // the process died before its outcome
        replayAnswers.put("/c", Outcome.answered(200, BODY));
        live("/d", Outcome.answered(201, BODY));
    }

    void live(String target, Outcome outcome) {
        long p = journal.appendRequest("POST", target, List.of(), null);
        journal.appendOutcome(p, outcome);
        positions.put(target, p);
        replayAnswers.put(target, outcome);
    }

    @AfterEach
    void close() {
        journal.close();
    }

    RecoveryReport recover(boolean skipFailures, boolean compareBody, boolean stopOnDivergence) {
        return new Recovery(journal, store, null, new Lifecycles(), skipFailures, null, compareBody, stopOnDivergence)
                .run(entry -> {
                    replayed.add(entry.target());
                    return replayAnswers.get(entry.target());
                });
    }

    @Test
    void aRequestThatThrewLiveAndThrowsTheSameWayIsNoFailure() {
        RecoveryReport report = recover(false, true, true);
        assertThat(replayed).containsExactly("/a", "/b", "/c", "/d");
        assertThat(report.replayed()).isEqualTo(4);
        assertThat(report.diverged()).isZero();
        assertThat(report.withoutOutcome()).as("/c").isEqualTo(1);
    }

    @Test
    void aDifferentStatusIsADivergenceThatWarnCountsAndGoesOn() {
        replayAnswers.put("/a", Outcome.answered(500, BODY));
        replayAnswers.put("/b", Outcome.threw("java.lang.NullPointerException", null));
        RecoveryReport report = recover(false, false, false);
        assertThat(replayed).containsExactly("/a", "/b", "/c", "/d");
        assertThat(report.diverged()).isEqualTo(2);
    }

    @Test
    void stopFailsRecoveryAtTheFirstDivergenceNamingItsPosition() {
        replayAnswers.put("/b", Outcome.answered(200, BODY)); // threw live, answers now
        assertThatThrownBy(() -> recover(false, false, true))
                .isInstanceOf(RecoveryException.class)
                .hasMessageContaining("replay diverged at journal position " + positions.get("/b") + " (POST /b)")
                .hasMessageContaining("live threw java.lang.IllegalStateException: no item 7, replay status 200")
                .hasMessageContaining("reprise.recovery.on-divergence=stop");
        assertThat(replayed).containsExactly("/a", "/b");
    }

    @Test
    void theBodyCountsOnlyWhenAskedFor() {
        replayAnswers.put("/d", Outcome.answered(201, Outcome.digest(new byte[] {'n', 'o'}, 0, 2)));
        assertThat(recover(false, false, false).diverged()).as("compare=status").isZero();
        replayed.clear();
        assertThat(recover(false, true, false).diverged()).as("compare=body").isEqualTo(1);
    }

    @Test
    void anEntryWithoutAnOutcomeThatThrowsFallsUnderOnError() {
        replayAnswers.put("/c", Outcome.threw("java.lang.IllegalStateException", "clock check failed"));
        assertThatThrownBy(() -> recover(false, false, false))
                .isInstanceOf(RecoveryException.class)
                .hasMessageContaining("replaying journal entry at position " + positions.get("/c") + " (POST /c) failed: "
                        + "java.lang.IllegalStateException: clock check failed")
                .hasMessageContaining("reprise.recovery.on-error=skip");
        replayed.clear();
        RecoveryReport skipped = recover(true, false, false);
        assertThat(replayed).containsExactly("/a", "/b", "/c", "/d");
        assertThat(skipped.replayed()).isEqualTo(4);
    }

    @Test
    void anEntryThatCannotBeReplayedAtAllFallsUnderOnError() {
        Recovery recovery = new Recovery(journal, store, null, new Lifecycles(), false, null, false, false);
        assertThatThrownBy(() -> recovery.run(entry -> {
            throw new IllegalStateException("no HttpContext of this application matches path " + entry.target());
        })).isInstanceOf(RecoveryException.class).hasMessageContaining("no HttpContext");
    }
}
