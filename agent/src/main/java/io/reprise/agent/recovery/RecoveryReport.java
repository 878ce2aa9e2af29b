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
 */
public record RecoveryReport(long snapshotPosition, long replayed, long lastPosition, long restoreNanos, long replayNanos) {

    /** Replayed entries per second. */
    public double replayRate() {
        return replayNanos == 0 ? 0 : replayed * 1e9 / replayNanos;
    }
}
