package io.reprise.agent.recovery;

import io.reprise.journal.Journal;

/**
 * What a recovery did.
 *
 * @param snapshotPosition journal position covered by the restored snapshot, or {@link Journal#NO_POSITION}
 * @param replayed         entries replayed after it
 * @param lastPosition     position of the last entry replayed (or the snapshot's, when none was)
 * @param restoreNanos     time spent restoring the snapshot
 * @param replayNanos      time spent replaying
 * @param diverged         replayed entries whose outcome differed from the one recorded live
 * @param withoutOutcome   replayed entries whose outcome was never recorded (the process died in between)
 * @param firstDivergence  the first divergence (position, request, both outcomes), or null
 */
public record RecoveryReport(long snapshotPosition, long replayed, long lastPosition, long restoreNanos, long replayNanos,
                             long diverged, long withoutOutcome, String firstDivergence) {

    public RecoveryReport(long snapshotPosition, long replayed, long lastPosition, long restoreNanos, long replayNanos) {
        this(snapshotPosition, replayed, lastPosition, restoreNanos, replayNanos, 0, 0, null);
    }

    /** Replayed entries per second. */
    public double replayRate() {
        return replayNanos == 0 ? 0 : replayed * 1e9 / replayNanos;
    }
}
