package io.reprise.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.agent.config.SyncMode;
import io.reprise.agent.lifecycle.Lifecycles;
import io.reprise.agent.writepath.Durability;
import io.reprise.agent.writepath.WritePath;
import io.reprise.journal.Journal;
import io.reprise.snapshot.SnapshotProvider;
import io.reprise.snapshot.store.SnapshotFile;
import io.reprise.snapshot.store.SnapshotStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotRetentionTest {

    @TempDir
    Path dir;

    /** A journaled request's application that increments {@code state} and answers 200. */
    static WritePath.Application increment(AtomicLong state) {
        return () -> {
            state.incrementAndGet();
            return io.reprise.journal.Outcome.answered(200, 0);
        };
    }

    /** The provider of a state that is one number. */
    static SnapshotProvider counter(AtomicLong state) {
        return new SnapshotProvider() {
            @Override
            public void save(OutputStream out) throws java.io.IOException {
                new DataOutputStream(out).writeLong(state.get());
            }

            @Override
            public void restore(InputStream in) throws java.io.IOException {
                state.set(new DataInputStream(in).readLong());
            }
        };
    }

    @Test
    void journalRetentionNeverAsksToDeleteAnythingAKeptSnapshotNeeds() throws Exception {
        AtomicLong state = new AtomicLong();
        SnapshotProvider provider = counter(state);
        List<Long> retentionCalls = new ArrayList<>();
        try (Journal journal = Journal.open(dir.resolve("journal"))) {
            SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
            WritePath writePath = new WritePath(Set.of("POST"), List.of(), 1_000_000, 1 << 20);
            writePath.open(journal, Durability.of(SyncMode.NONE, journal::force, Duration.ofSeconds(1), r -> { }),
                    1 << 20, 0, () -> { });
            Snapshots snapshots = new Snapshots(store, ProviderHandle.of(provider), writePath, Duration.ofHours(1), 2,
                    Journal.NO_POSITION, new Lifecycles(), position -> {
                        retentionCalls.add(position);
                        return journal.deleteFilesBefore(position);
                    }, List.of());

            for (int cycle = 0; cycle < 25; cycle++) {
                for (int i = 0; i < 3; i++) {
                    writePath.apply("POST", "/n", List.of(), new byte[0], increment(state));
                }
                SnapshotFile taken = snapshots.take();
                assertThat(taken).isNotNull();

                List<SnapshotFile> kept = store.list();
                assertThat(kept).hasSizeLessThanOrEqualTo(2);
                long asked = retentionCalls.get(retentionCalls.size() - 1);
                assertThat(kept).allSatisfy(s -> assertThat(asked).isLessThanOrEqualTo(s.position()));
                assertThat(asked).isEqualTo(kept.get(kept.size() - 1).position());
                // What the oldest kept snapshot needs is still readable.
                try (var reader = journal.readAfter(asked)) {
                    assertThat(reader).isNotNull();
                }
                assertThat(journal.firstPosition()).isLessThanOrEqualTo(asked);
            }
            assertThat(retentionCalls).hasSize(25).isSorted();
        }
    }
    @Test
    void theJournalPositionReportedAfterASnapshotIsWhereTheJournalEndsNotWhereTheSnapshotIs() throws Exception {
        AtomicLong state = new AtomicLong();
        SnapshotProvider provider = counter(state);
        List<long[]> reported = new ArrayList<>();
        Lifecycles lifecycles = new Lifecycles();
        lifecycles.add(new io.reprise.agent.lifecycle.Lifecycle() {
            @Override
            public void snapshotTaken(long position, long createdMillis, long journalPosition) {
                reported.add(new long[] {position, journalPosition});
            }
        });
        try (Journal journal = Journal.open(dir.resolve("journal"))) {
            WritePath writePath = new WritePath(Set.of("POST"), List.of(), 1_000_000, 1 << 20);
            writePath.open(journal, Durability.of(SyncMode.NONE, journal::force, Duration.ofSeconds(1), r -> { }),
                    1 << 20, 0, () -> { });
            writePath.apply("POST", "/n", List.of(), new byte[0], increment(state));
            // Writers go on while the snapshot file is finished; retention runs after that, as the last step.
            Snapshots snapshots = new Snapshots(new SnapshotStore(dir.resolve("snapshots")), ProviderHandle.of(provider),
                    writePath, Duration.ofHours(1), 2, Journal.NO_POSITION, lifecycles, position -> {
                        try {
                            writePath.apply("POST", "/n", List.of(), new byte[0], increment(state));
                            writePath.apply("POST", "/n", List.of(), new byte[0], increment(state));
                        } catch (Exception e) {
                            throw new java.io.IOException(e);
                        }
                        return List.of();
                    }, List.of());
            SnapshotFile taken = snapshots.take();
            assertThat(reported).hasSize(1);
            assertThat(reported.get(0)[0]).isEqualTo(taken.position());
            assertThat(reported.get(0)[1]).as("the journal's end, two entries after the snapshot")
                    .isEqualTo(journal.lastPosition()).isGreaterThan(taken.position());
        }
    }
}
