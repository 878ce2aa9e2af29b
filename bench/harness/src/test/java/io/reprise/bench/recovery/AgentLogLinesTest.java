package io.reprise.bench.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The harness reads the agent's own figures from its log. These are the lines as the agent writes them
 * (io.reprise.agent.recovery.Recovery, io.reprise.agent.snapshot.Snapshots); if the agent changes them, this test
 * and the smoke run say so.
 */
class AgentLogLinesTest {

    @Test
    void readsReplayCountTimeAndRateFromRecoveryDone() {
        Matcher m = RecoveryBench.DONE.matcher("INFO: reprise: recovery done: snapshot position 8602, replayed 37 entries"
                + " in 3.1 ms (11935 entries/s), last position 8639");
        assertThat(m.find()).isTrue();
        assertThat(m.group(2)).isEqualTo("37");
        assertThat(m.group(3)).isEqualTo("3.1");
        assertThat(m.group(4)).isEqualTo("11935");
    }

    @Test
    void findsDivergencesAndEntriesWithoutAnOutcomeOnRecoveryDone() {
        Matcher m = RecoveryBench.DIVERGED.matcher("INFO: reprise: recovery done: snapshot position -1, replayed 40 entries"
                + " in 3.1 ms (11935 entries/s), last position 8639, 2 diverged, 1 without an outcome");
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo("2");
        assertThat(m.group(2)).isEqualTo("diverged");
        assertThat(m.find()).isTrue();
        assertThat(m.group(2)).isEqualTo("without an outcome");
        assertThat(RecoveryBench.DIVERGED.matcher("INFO: reprise: recovery done: snapshot position -1, replayed 40 entries"
                + " in 3,001.1 ms (11,935 entries/s), last position 8639").find()).isFalse();
    }

    @Test
    void readsSnapshotRestoreTime() {
        Matcher m = RecoveryBench.RESTORED.matcher("INFO: reprise: recovery started: snapshot at journal position 8602"
                + " restored in 1.2 ms, replaying the entries after it (37 entries)");
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo("1.2");
    }

    @Test
    void readsPauseAndTotalOfEverySnapshotButTheFinalOne() {
        String log = "INFO: reprise: snapshot at journal position 89249420411757 written to 0000089249420411757.snapshot:"
                + " writers paused 6.1 ms, total 39.8 ms, 1 old snapshot(s) removed\n"
                + "reprise: final snapshot at journal position 89249420411999 written to x.snapshot: writers paused 9.0 ms,"
                + " total 50.0 ms, 1 old snapshot(s) removed\n";
        Matcher m = SnapshotPauseBench.SNAPSHOT.matcher(log);
        assertThat(m.find()).isTrue();
        assertThat(m.group(1)).isEqualTo("6.1");
        assertThat(m.group(2)).isEqualTo("39.8");
        assertThat(m.find()).isFalse();

        Matcher twoPhase = SnapshotPauseBench.SNAPSHOT.matcher("INFO: reprise: snapshot at journal position 5 written to"
                + " y.snapshot: writers paused 0.02 ms (two-phase: capture under the order, written after it), total 310.5 ms,"
                + " 0 old snapshot(s) and 0 journal file(s) removed");
        assertThat(twoPhase.find()).isTrue();
        assertThat(twoPhase.group(1)).isEqualTo("0.02");
        assertThat(twoPhase.group(2)).isEqualTo("310.5");
    }
}
