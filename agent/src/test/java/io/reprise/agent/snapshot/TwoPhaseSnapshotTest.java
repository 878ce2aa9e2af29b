package io.reprise.agent.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.agent.config.SyncMode;
import io.reprise.agent.lifecycle.Lifecycles;
import io.reprise.agent.writepath.Durability;
import io.reprise.agent.writepath.WritePath;
import io.reprise.journal.Journal;
import io.reprise.snapshot.SnapshotProvider;
import io.reprise.snapshot.store.ReprisePart;
import io.reprise.snapshot.store.SnapshotFile;
import io.reprise.snapshot.store.SnapshotStore;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots whose provider has a frozen view: captured under the order, written while writers run. */
class TwoPhaseSnapshotTest {

    /** Wait bound for threads the test releases itself: a guard against a hang, not a timing expectation. */
    static final long GUARD_SECONDS = 60;

    @TempDir
    Path dir;
    Journal journal;
    WritePath writePath;
    SnapshotStore store;
    final AtomicLong state = new AtomicLong();

    @BeforeEach
    void open() throws Exception {
        journal = Journal.open(dir.resolve("journal"));
        store = new SnapshotStore(dir.resolve("snapshots"));
        writePath = new WritePath(Set.of("POST"), List.of(), 1_000_000, 1 << 20);
        writePath.open(journal, Durability.of(SyncMode.NONE, journal::force, Duration.ofSeconds(1), r -> { }),
                1 << 20, 0, () -> { });
    }

    @AfterEach
    void close() {
        journal.close();
    }

    void increment() throws Exception {
        writePath.apply("POST", "/n", List.of(), new byte[0], SnapshotRetentionTest.increment(state));
    }

    /** A counter whose capture reads the value and whose frozen view waits for {@code release} before writing it. */
    SnapshotProvider twoPhase(CountDownLatch writing, CountDownLatch release) {
        return new SnapshotProvider() {
            @Override
            public void save(OutputStream out) {
                throw new AssertionError("save must not be called when capture returns a frozen view");
            }

            @Override
            public Frozen capture() {
                long value = state.get();
                return out -> {
                    writing.countDown();
                    try {
                        assertThat(release.await(GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                    new DataOutputStream(out).writeLong(value);
                };
            }

            @Override
            public void restore(InputStream in) throws IOException {
                state.set(new DataInputStream(in).readLong());
            }
        };
    }

    /** A section of the agent's own with no frozen view: written into memory under the order. */
    static SnapshotSection section(AtomicLong value) {
        return new SnapshotSection() {
            @Override public String name() { return "probe"; }
            @Override public int version() { return 1; }
            @Override public void write(OutputStream out) throws IOException { new DataOutputStream(out).writeLong(value.get()); }
            @Override public void restore(int version, InputStream in) { }
            @Override public void reset() { }
        };
    }

    @Test
    void writersRunWhileTheFrozenStateIsWrittenAndTheSnapshotHoldsTheStateAtItsPosition() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicLong sectionValue = new AtomicLong(7);
        Snapshots snapshots = new Snapshots(store, ProviderHandle.of(twoPhase(writing, release)), writePath,
                Duration.ofHours(1), 2, Journal.NO_POSITION, new Lifecycles(), p -> List.of(), List.of(section(sectionValue)));
        for (int i = 0; i < 5; i++) {
            increment();
        }
        long covered = writePath.lastPosition();
        CompletableFuture<SnapshotFile> taking = CompletableFuture.supplyAsync(() -> {
            try {
                return snapshots.take();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(writing.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("the frozen view is being written").isTrue();
        CompletableFuture<Void> writers = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 3; i++) {
                    increment(); // waits for the order: it completes only if the write-out does not hold it
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        sectionValue.set(99); // the section was written under the order: this change is not in the snapshot
        try {
            writers.get(GUARD_SECONDS, TimeUnit.SECONDS);
        } finally {
            release.countDown(); // whatever happened, let the snapshot finish
        }
        release.countDown();
        SnapshotFile file = taking.get(GUARD_SECONDS, TimeUnit.SECONDS);

        assertThat(state).hasValue(8);
        assertThat(file.position()).as("the snapshot covers the position of the capture").isEqualTo(covered);
        try (InputStream in = file.openVerified()) {
            assertThat(new DataInputStream(in).readLong()).as("the state at the capture").isEqualTo(5);
        }
        ReprisePart part = file.readPart();
        assertThat(new DataInputStream(new java.io.ByteArrayInputStream(part.section("probe").orElseThrow().bytes()))
                .readLong()).isEqualTo(7);
    }

    @Test
    void aFrozenViewThatFailsDiscardsTheSnapshotAndTheNextOneIsTaken() throws Exception {
        boolean[] fail = {true};
        SnapshotProvider provider = new SnapshotProvider() {
            @Override public void save(OutputStream out) { throw new AssertionError("not called"); }
            @Override public Frozen capture() {
                long value = state.get();
                return out -> {
                    if (fail[0]) {
                        throw new IOException("disk said no");
                    }
                    new DataOutputStream(out).writeLong(value);
                };
            }
            @Override public void restore(InputStream in) { }
        };
        Snapshots snapshots = new Snapshots(store, ProviderHandle.of(provider), writePath, Duration.ofHours(1), 2,
                Journal.NO_POSITION, new Lifecycles(), p -> List.of(), List.of());
        increment();
        assertThatThrownBy(snapshots::take).hasMessageContaining("disk said no");
        assertThat(store.list()).isEmpty();
        fail[0] = false;
        assertThat(snapshots.take()).isNotNull();
        assertThat(store.list()).hasSize(1);
    }

    @Test
    void theWarmUpBeforeThePortOpensCapturesOnceAndWritesNothing() throws Exception {
        int[] captures = {0};
        int[] writes = {0};
        int[] sectionCaptures = {0};
        SnapshotProvider provider = new SnapshotProvider() {
            @Override public void save(OutputStream out) { throw new AssertionError("save must not be called"); }
            @Override public Frozen capture() {
                captures[0]++;
                long value = state.get();
                return out -> {
                    writes[0]++;
                    new DataOutputStream(out).writeLong(value);
                };
            }
            @Override public void restore(InputStream in) { }
        };
        SnapshotSection section = new SnapshotSection() {
            @Override public String name() { return "counted"; }
            @Override public int version() { return 1; }
            @Override public void write(OutputStream out) { throw new AssertionError("the warm-up writes nothing"); }
            @Override public ProviderHandle.Frozen capture() {
                sectionCaptures[0]++;
                return out -> { };
            }
            @Override public void restore(int version, InputStream in) { }
            @Override public void reset() { }
        };
        Snapshots snapshots = new Snapshots(store, ProviderHandle.of(provider), writePath, Duration.ofHours(1), 2,
                Journal.NO_POSITION, new Lifecycles(), p -> List.of(), List.of(section));
        increment();

        snapshots.warmUp();

        assertThat(captures[0]).isEqualTo(1);
        assertThat(sectionCaptures[0]).isEqualTo(1);
        assertThat(writes[0]).isZero();
        assertThat(store.list()).isEmpty();
        assertThat(snapshots.take()).as("the first real snapshot is still taken").isNotNull();
        assertThat(writes[0]).isEqualTo(1);
    }

    @Test
    void whatCaptureThrowsReachesTheSnapshotAsItWasThrown() throws Exception {
        RuntimeException[] next = {null};
        SnapshotProvider provider = new SnapshotProvider() {
            @Override public void save(OutputStream out) { throw new AssertionError("not called"); }
            @Override public Frozen capture() throws IOException {
                if (next[0] != null) {
                    throw next[0];
                }
                throw new IOException("cannot freeze");
            }
            @Override public void restore(InputStream in) { }
        };
        Snapshots snapshots = new Snapshots(store, ProviderHandle.of(provider), writePath, Duration.ofHours(1), 2,
                Journal.NO_POSITION, new Lifecycles(), p -> List.of(), List.of());
        increment();

        assertThatThrownBy(snapshots::take).isInstanceOf(IOException.class).hasMessage("cannot freeze");
        next[0] = new IllegalStateException("not now");
        assertThatThrownBy(snapshots::take).isInstanceOf(IllegalStateException.class).hasMessage("not now");
        assertThat(store.list()).isEmpty();
    }

    @Test
    void theWarmUpLeavesAProviderWithoutAFrozenViewUncalled() throws Exception {
        SnapshotProvider provider = new SnapshotProvider() {
            @Override public void save(OutputStream out) { throw new AssertionError("the warm-up must not save"); }
            @Override public void restore(InputStream in) { }
        };
        Snapshots snapshots = new Snapshots(store, ProviderHandle.of(provider), writePath, Duration.ofHours(1), 2,
                Journal.NO_POSITION, new Lifecycles(), p -> List.of(), List.of());

        snapshots.warmUp();

        assertThat(store.list()).isEmpty();
    }

    @Test
    void aProviderWithoutAFrozenViewIsSavedUnderTheOrderAsBefore() throws Exception {
        Snapshots snapshots = new Snapshots(store, ProviderHandle.of(SnapshotRetentionTest.counter(state)), writePath,
                Duration.ofHours(1), 2, Journal.NO_POSITION, new Lifecycles(), p -> List.of(), List.of());
        increment();
        increment();
        SnapshotFile file = snapshots.take();
        try (InputStream in = file.openVerified()) {
            assertThat(new DataInputStream(in).readLong()).isEqualTo(2);
        }
    }

    @Test
    void theKeyTableSectionFreezesItsEntriesSoLaterKeysAreNotInTheSnapshot() throws Exception {
        var keys = new io.reprise.agent.idempotency.Idempotency(true, List.of(), Duration.ofHours(24), 1000, 1 << 20, 1024);
        byte[] none = new byte[0];
        var first = keys.admit("POST", "/n", "/n", null, List.of(new io.reprise.journal.Header("Idempotency-Key", "a")), none);
        writePath.apply("POST", "/n", List.of(new io.reprise.journal.Header("Idempotency-Key", "a")), none, first.ticket(),
                () -> io.reprise.journal.Outcome.answered(200, 0));
        ByteArrayOutputStream atCapture = new ByteArrayOutputStream();
        keys.table().write(atCapture);
        ProviderHandle.Frozen frozen = keys.table().capture();
        var second = keys.admit("POST", "/n", "/n", null, List.of(new io.reprise.journal.Header("Idempotency-Key", "b")), none);
        writePath.apply("POST", "/n", List.of(new io.reprise.journal.Header("Idempotency-Key", "b")), none, second.ticket(),
                () -> io.reprise.journal.Outcome.answered(200, 0));
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        frozen.writeTo(written);
        assertThat(written.toByteArray()).isEqualTo(atCapture.toByteArray());
        assertThat(keys.table().size()).isEqualTo(2);
    }
}
