package io.reprise.agent.writepath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.agent.config.SyncMode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DurabilityTest {

    /** A journal stand-in: positions appended, and what each fsync covered. */
    static final class FakeJournal implements Durability.Forcer {
        final AtomicLong appended = new AtomicLong(-1);
        final java.util.concurrent.atomic.AtomicInteger entered = new java.util.concurrent.atomic.AtomicInteger(); // force() calls begun
        final List<Long> fsyncs = new ArrayList<>();
        volatile CountDownLatch gate; // when set, an fsync blocks until it opens
        volatile IOException fail;

        long append() {
            return appended.incrementAndGet();
        }

        @Override
        public long force() throws IOException {
            entered.incrementAndGet();
            long covered = appended.get();
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            if (fail != null) {
                throw fail;
            }
            synchronized (fsyncs) {
                fsyncs.add(covered);
            }
            return covered;
        }

        int fsyncCount() {
            synchronized (fsyncs) {
                return fsyncs.size();
            }
        }
    }

    @Test
    void alwaysReturnsOnlyAfterAnFsyncThatCoversTheEntry() throws Exception {
        FakeJournal journal = new FakeJournal();
        try (Durability durability = Durability.of(SyncMode.ALWAYS, journal, Duration.ofMillis(100), r -> { })) {
            for (int i = 0; i < 20; i++) {
                long p = journal.append();
                durability.awaitDurable(p);
                synchronized (journal.fsyncs) {
                    assertThat(journal.fsyncs).as("an fsync covering %d happened before it was let go", p)
                            .anySatisfy(covered -> assertThat(covered).isGreaterThanOrEqualTo(p));
                }
            }
        }
    }

    @Test
    void aLoneWriterForcesOnItsOwnThread() throws Exception {
        FakeJournal journal = new FakeJournal();
        List<Thread> forcing = new ArrayList<>();
        Durability.Forcer recorded = () -> {
            synchronized (forcing) {
                forcing.add(Thread.currentThread());
            }
            return journal.force();
        };
        try (Durability durability = Durability.of(SyncMode.ALWAYS, recorded, Duration.ofHours(1), r -> { })) {
            for (int i = 0; i < 5; i++) {
                durability.awaitDurable(journal.append());
            }
            assertThat(durability.fsyncs()).isEqualTo(5);
        }
        synchronized (forcing) {
            assertThat(forcing).hasSizeGreaterThanOrEqualTo(5).first().isSameAs(Thread.currentThread());
            assertThat(forcing.subList(0, 5)).allSatisfy(t -> assertThat(t).isSameAs(Thread.currentThread()));
        }
    }

    @Test
    void concurrentWritersShareFsyncs() throws Exception {
        FakeJournal journal = new FakeJournal();
        journal.gate = new CountDownLatch(1);
        ExecutorService writers = Executors.newFixedThreadPool(16);
        try (Durability durability = Durability.of(SyncMode.ALWAYS, journal, Duration.ofMillis(100), r -> { })) {
            // The first writer's fsync is held; 15 more append and wait meanwhile.
            List<Future<?>> waiting = new ArrayList<>();
            long first = journal.append();
            waiting.add(writers.submit(() -> {
                durability.awaitDurable(first);
                return null;
            }));
            for (int i = 0; i < 15; i++) {
                long p = journal.append();
                waiting.add(writers.submit(() -> {
                    durability.awaitDurable(p);
                    return null;
                }));
            }
            journal.gate.countDown();
            for (Future<?> f : waiting) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(journal.fsyncCount()).as("16 writers, at most 2 fsyncs: the held one and one for all the others")
                    .isBetween(1, 2);
        } finally {
            writers.shutdownNow();
        }
    }

    @Test
    void aFailedFsyncIsReportedToTheWaiterAndStopsWriting() throws Exception {
        FakeJournal journal = new FakeJournal();
        journal.fail = new IOException("EIO");
        AtomicReference<String> stopped = new AtomicReference<>();
        CountDownLatch reported = new CountDownLatch(1);
        try (Durability durability = Durability.of(SyncMode.ALWAYS, journal, Duration.ofMillis(100), reason -> {
            stopped.set(reason);
            reported.countDown();
        })) {
            long p = journal.append();
            assertThatThrownBy(() -> durability.awaitDurable(p))
                    .isInstanceOf(JournalUnavailableException.class)
                    .hasMessageContaining("could not be forced to disk").hasMessageContaining("EIO");
            // Waiters are released first (their 503 goes out), then the failure is reported, which ends the process.
            assertThat(reported.await(60, TimeUnit.SECONDS)).as("the failure was reported").isTrue();
            assertThat(stopped.get()).contains("fsync of the journal failed").contains("EIO");
        }
    }

    @Test
    void aFailedFsyncStopsAtOnceInsteadOfWaitingForItsOwnThread() throws Exception {
        // What the agent's onFailure does: stop writing, which closes the Durability, on the fsync thread itself.
        // close() must not join the thread it runs on; with a join timeout far beyond the wait below, a self-join
        // shows up as a missed latch, not as a slow test.
        FakeJournal journal = new FakeJournal();
        journal.fail = new IOException("EIO");
        AtomicReference<Durability> self = new AtomicReference<>();
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicLong forceCalls = new AtomicLong();
        Durability.Forcer counted = () -> {
            forceCalls.incrementAndGet();
            return journal.force();
        };
        Durability durability = Durability.of(SyncMode.ALWAYS, counted, Duration.ofMillis(100), reason -> {
            self.get().close();
            stopped.countDown();
        }, Duration.ofMinutes(10));
        self.set(durability);
        long p = journal.append();
        assertThatThrownBy(() -> durability.awaitDurable(p)).isInstanceOf(JournalUnavailableException.class);
        assertThat(stopped.await(60, TimeUnit.SECONDS)).as("onFailure returned: close() did not wait for its own thread")
                .isTrue();
        assertThat(forceCalls.get()).as("no second fsync after the device reported an error").isEqualTo(1);
        long next = journal.append();
        assertThatThrownBy(() -> durability.awaitDurable(next)).isInstanceOf(JournalUnavailableException.class);
    }

    @Test
    void batchForcesInTheBackgroundAndNeverHoldsAResponse() throws Exception {
        FakeJournal journal = new FakeJournal();
        journal.gate = new CountDownLatch(1); // no fsync can finish
        try (Durability durability = Durability.of(SyncMode.BATCH, journal, Duration.ofMillis(10), r -> { })) {
            long p = journal.append();
            durability.appended(p);
            durability.awaitDurable(p); // returns at once although no fsync finished
            assertThat(journal.fsyncCount()).isZero();
            journal.gate.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (journal.fsyncCount() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(journal.fsyncCount()).as("the batch thread forced what was appended").isPositive();
        }
    }

    @Test
    void closingForcesWhatWasAppendedLast() {
        FakeJournal journal = new FakeJournal();
        Durability durability = Durability.of(SyncMode.BATCH, journal, Duration.ofHours(1), r -> { });
        long p = journal.append();
        durability.appended(p);
        durability.close();
        synchronized (journal.fsyncs) {
            assertThat(journal.fsyncs).containsExactly(p);
        }
    }

    /**
     * {@code none} leaves the journal to the page cache: no fsync thread, no fsync on any call, and {@code awaitDurable}
     * does not wait for one. The thread probe is checked against batch and always first, so that it cannot pass by
     * seeing nothing.
     */
    @Test
    void noneStartsNoFsyncThreadNeverCallsTheForcerAndNeverWaits() throws Exception {
        for (SyncMode forcing : List.of(SyncMode.BATCH, SyncMode.ALWAYS)) {
            Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
            try (Durability durability = Durability.of(forcing, new FakeJournal(), Duration.ofHours(1), r -> { })) {
                assertThat(threadsRunningDurabilityCode(before)).as("the probe sees the thread %s forces from", forcing)
                        .isNotEmpty();
            }
        }

        FakeJournal journal = new FakeJournal();
        journal.gate = new CountDownLatch(1); // an fsync would block: awaitDurable below would not return
        Set<Thread> before = Set.copyOf(Thread.getAllStackTraces().keySet());
        Durability durability = Durability.of(SyncMode.NONE, journal, Duration.ofMillis(1), r -> { });
        try {
            for (int i = 0; i < 100; i++) {
                long p = journal.append();
                durability.appended(p);
                durability.awaitDurable(p);
            }
            assertThat(threadsRunningDurabilityCode(before)).as("threads started for sync=none").isEmpty();
            assertThat(journal.entered.get()).as("fsyncs begun under sync=none").isZero();
        } finally {
            journal.gate.countDown();
            durability.close();
        }
        assertThat(journal.entered.get()).as("fsyncs begun under sync=none, close included").isZero();
        assertThat(durability.fsyncs()).isZero();
    }

    /** Live threads not in {@code before} that run code of {@link Durability} (a thread just started is given time to run). */
    private static List<Thread> threadsRunningDurabilityCode(Set<Thread> before) throws InterruptedException {
        List<Thread> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (before.contains(t) || t == Thread.currentThread()) {
                continue;
            }
            StackTraceElement[] stack = t.getStackTrace();
            for (int i = 0; i < 200 && stack.length == 0 && t.isAlive(); i++) { // not scheduled yet: at most ~1 s
                Thread.sleep(5);
                stack = t.getStackTrace();
            }
            for (StackTraceElement frame : stack) {
                if (frame.getClassName().startsWith(Durability.class.getName())) {
                    found.add(t);
                    break;
                }
            }
        }
        return found;
    }
}
