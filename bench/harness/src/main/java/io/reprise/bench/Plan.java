package io.reprise.bench;

import java.util.List;

/**
 * How much to measure. {@link #full()} is the run the report is made from (about 35-60 minutes on 2 cores);
 * {@link #smoke()} runs every step with tiny sizes, in about a minute, so CI notices when the harness breaks.
 * Its numbers mean nothing.
 *
 * @param mode               "full" or "smoke"
 * @param loadRuns           repetitions of the whole load matrix (each a fresh process per scenario)
 * @param loadSeconds        duration of one wrk measurement
 * @param warmupSeconds      wrk warm-up per service start, POST-only then mix, not measured
 * @param connections        wrk connection counts
 * @param startupRuns        start-ups with an empty journal, with and without the agent (interleaved)
 * @param journalLengths     journal lengths for the restart measurement
 * @param snapshotEvery      entries between snapshots in the "with snapshots" layout
 * @param restartRuns        restarts per journal length and layout
 * @param pauseKeys          keys in the state whose snapshot pause is measured
 * @param pauseSnapshotEvery reprise.snapshot.every while measuring the pause
 * @param pauseSeconds       duration of the write load while measuring the pause
 * @param pauseRuns          repetitions of the pause measurement
 * @param jmhArgs            options for the JMH jar
 */
public record Plan(String mode, int loadRuns, int loadSeconds, int warmupSeconds, List<Integer> connections,
                   int startupRuns, List<Long> journalLengths, long snapshotEvery, int restartRuns,
                   int pauseKeys, int pauseSnapshotEvery, int pauseSeconds, int pauseRuns, List<String> jmhArgs) {

    public static Plan full() {
        return new Plan("full", 3, 10, 3, List.of(1, 8, 64),
                10, List.of(10_000L, 100_000L, 1_000_000L, 10_000_000L), 100_000, 3,
                1_000_000, 10_000, 30, 3,
                List.of("-f", "2", "-wi", "3", "-i", "5", "-w", "2s", "-r", "2s"));
    }

    public static Plan smoke() {
        return new Plan("smoke", 1, 1, 1, List.of(1, 8, 64),
                2, List.of(2_000L, 10_000L), 2_500, 1,
                10_000, 1_000, 3, 1,
                List.of("-f", "1", "-wi", "0", "-i", "1", "-r", "300ms", "-p", "entries=100000", "-p", "bodyBytes=0"));
    }

    /**
     * This plan with the load step's sizes replaced where given ({@code --runs}, {@code --seconds},
     * {@code --connections}); null keeps the plan's own.
     */
    public Plan withLoad(Integer runs, Integer seconds, List<Integer> connections) {
        return new Plan(mode, runs == null ? loadRuns : runs, seconds == null ? loadSeconds : seconds, warmupSeconds,
                connections == null ? this.connections : List.copyOf(connections), startupRuns, journalLengths,
                snapshotEvery, restartRuns, pauseKeys, pauseSnapshotEvery, pauseSeconds, pauseRuns, jmhArgs);
    }

    /** This plan with the recovery step's journal lengths replaced ({@code --journal-lengths}); null keeps them. */
    public Plan withJournalLengths(List<Long> lengths) {
        return new Plan(mode, loadRuns, loadSeconds, warmupSeconds, connections, startupRuns,
                lengths == null ? journalLengths : List.copyOf(lengths), snapshotEvery, restartRuns, pauseKeys,
                pauseSnapshotEvery, pauseSeconds, pauseRuns, jmhArgs);
    }

    public boolean smokeMode() {
        return mode.equals("smoke");
    }
}
