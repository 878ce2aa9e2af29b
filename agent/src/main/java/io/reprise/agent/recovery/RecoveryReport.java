package io.reprise.agent.recovery;

import io.reprise.journal.Journal;
import java.util.List;

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
 * @param skipped          entries that failed to replay and were skipped ({@code reprise.recovery.on-error=skip})
 * @param divergences      the first divergences (position, request, both outcomes), at most {@link #DETAILED}
 */
public record RecoveryReport(long snapshotPosition, long replayed, long lastPosition, long restoreNanos, long replayNanos,
                             long diverged, long withoutOutcome, long skipped, List<String> divergences) {

    /** How many divergences a report keeps in detail. */
    public static final int DETAILED = 10;

    public RecoveryReport {
        divergences = List.copyOf(divergences);
    }

    public RecoveryReport(long snapshotPosition, long replayed, long lastPosition, long restoreNanos, long replayNanos) {
        this(snapshotPosition, replayed, lastPosition, restoreNanos, replayNanos, 0, 0, 0, List.of());
    }

    /** The first divergence, or null when there was none. */
    public String firstDivergence() {
        return divergences.isEmpty() ? null : divergences.get(0);
    }

    /** Replayed entries per second. */
    public double replayRate() {
        return replayNanos == 0 ? 0 : replayed * 1e9 / replayNanos;
    }
}
