package io.reprise.bench.recovery;

import io.reprise.journal.Journal;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.Outcome;
import io.reprise.snapshot.store.PendingSnapshot;
import io.reprise.snapshot.store.SnapshotStore;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes a counter's data directory directly, with the real {@link Journal} and {@link SnapshotStore}: building 10
 * million entries through HTTP would take most of an hour. Every entry is a copy of {@code template}, an entry the
 * agent itself journaled for wrk's {@code POST /counter/increment} (same method, target, headers and body; only the
 * time stamp differs), appended as the agent appends it ({@link Journal#appendRequest}) and followed, as the agent
 * follows it, by its outcome record ({@link Journal#appendOutcome}): the status the counter sent and the digest of
 * the body it answered, the new value in decimal, so the n-th entry's body is {@code n}. Every {@code snapshotEvery}
 * entries a snapshot is committed at the position of that entry's outcome record (the last record under the
 * agent's order, where the agent takes its snapshots), holding what the counter's provider writes there (the count
 * as an 8-byte big-endian long), and two are kept, the agent's default. {@link RecoveryBench} checks these
 * assumptions against a data directory the agent wrote.
 */
final class JournalFiller {

    /**
     * @param entries          entries written
     * @param snapshotEntries  entries the newest snapshot covers, 0 if none
     * @param seconds          time taken to write them
     */
    record Filled(long entries, long snapshotEntries, double seconds) {
    }

    private JournalFiller() {
    }

    /**
     * Snapshots are written at every multiple of {@code snapshotEvery} strictly below {@code entries}: the journal
     * ends a full interval after the newest snapshot, as if the process died just before taking the next one, so
     * the restart replays as much as snapshots every {@code snapshotEvery} entries ever leave to replay.
     */
    static Filled fill(Path dataDir, JournalEntry template, int status, long entries, long snapshotEvery) throws Exception {
        byte[] recorded = template.outcome() == null ? new byte[0] : template.outcome().recorded();
        long started = System.nanoTime();
        long snapshotEntries = 0;
        SnapshotStore store = new SnapshotStore(dataDir.resolve("snapshots"));
        try (Journal journal = Journal.open(dataDir.resolve("journal"))) {
            for (long i = 1; i <= entries; i++) {
                long request = journal.appendRequest(template.method(), template.target(), template.headers(), template.body());
                long position = journal.appendOutcome(request, counterOutcome(status, recorded, i));
                if (snapshotEvery > 0 && i % snapshotEvery == 0 && i < entries) {
                    try (PendingSnapshot pending = store.begin()) {
                        DataOutputStream out = new DataOutputStream(pending.stream());
                        out.writeLong(i);
                        out.flush();
                        pending.commit(position);
                    }
                    store.retain(2);
                    snapshotEntries = i;
                }
            }
        }
        return new Filled(entries, snapshotEntries, (System.nanoTime() - started) / 1e9);
    }

    /**
     * The outcome the agent records for the counter's {@code n}-th increment on an empty counter: the status sent
     * and the digest of the body, {@code n} in decimal (what {@code CounterApp} answers, digested as the agent's
     * JDK-server adapter digests what it sends), with the recorded values of the agent's own entry ({@code recorded}:
     * the counter takes no clock or random value, so with {@code reprise.deterministic=true} it is the same small
     * tape for every increment).
     */
    static Outcome counterOutcome(int status, byte[] recorded, long n) {
        byte[] body = Long.toString(n).getBytes(StandardCharsets.UTF_8);
        return Outcome.answered(status, Outcome.digest(body, 0, body.length)).withRecorded(recorded);
    }
}
