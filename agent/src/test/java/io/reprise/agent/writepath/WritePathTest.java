package io.reprise.agent.writepath;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.agent.config.SyncMode;
import io.reprise.journal.Header;
import io.reprise.journal.Journal;
import io.reprise.journal.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The write path on a real journal, with the disk, the fsync and the Lease replaced by what each test needs. */
class WritePathTest {

    static final long MIB = 1 << 20;
    static final long MIN_FREE = 64 * MIB;
    /** Wait bound for threads the test releases itself: a guard against a hang, not a timing expectation. */
    static final long GUARD_SECONDS = 60;

    @TempDir
    Path dir;
    Journal journal;
    final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void openJournal() throws Exception {
        journal = Journal.open(dir.resolve("journal"));
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        journal.close();
    }

    WritePath writePath(long snapshotEvery, Durability durability, DiskSpace space, long sinceSnapshot, Runnable due) {
        WritePath w = new WritePath(Set.of("POST"), List.of(), snapshotEvery, (int) (16 * MIB));
        w.open(journal, durability, space, sinceSnapshot, due);
        return w;
    }

    static Durability none() {
        return Durability.of(SyncMode.NONE, () -> Journal.NO_POSITION, Duration.ofSeconds(1), r -> { });
    }

    static DiskSpace ample() {
        return new DiskSpace(() -> Long.MAX_VALUE / 2, Path.of("/ample"), MIN_FREE);
    }

    /** What a handler does in these tests: something to the state, answered 200. */
    @FunctionalInterface
    interface Handler {
        void handle() throws Exception;
    }

    long post(WritePath w, byte[] body, Handler handler) throws Exception {
        return w.apply("POST", "/n", List.of(new Header("Content-Type", "text/plain")), body, () -> {
            handler.handle();
            return Outcome.answered(200, 0);
        });
    }

    /** The requests in the journal (each is followed by its outcome record, which readers do not return). */
    int requestsJournaled() {
        int n = 0;
        try (var reader = journal.readAfter(Journal.NO_POSITION)) {
            for (int i = 0; i < 1_000 && reader.next() != null; i++) {
                n++;
            }
        }
        return n;
    }

    @Test
    void eachRequestIsFollowedByItsOutcomeWhatItAnsweredOrThatItThrew() throws Exception {
        WritePath w = writePath(1_000_000, none(), ample(), 0, () -> { });
        w.apply("POST", "/created", List.of(), new byte[0], () -> Outcome.answered(201, Outcome.digest(new byte[] {1}, 0, 1)));
        assertThatThrownBy(() -> w.apply("POST", "/fails", List.of(), new byte[0], () -> {
            throw new IllegalStateException("no item 7");
        })).hasMessage("no item 7");
        List<io.reprise.journal.JournalEntry> entries = new ArrayList<>();
        try (var reader = journal.readAfter(Journal.NO_POSITION)) {
            for (var e = reader.next(); e != null && entries.size() < 10; e = reader.next()) {
                entries.add(e);
            }
        }
        assertThat(entries).extracting(io.reprise.journal.JournalEntry::target).containsExactly("/created", "/fails");
        assertThat(entries.get(0).outcome()).isEqualTo(Outcome.answered(201, Outcome.digest(new byte[] {1}, 0, 1)));
        assertThat(entries.get(1).outcome().threw()).isTrue();
        assertThat(entries.get(1).outcome().exceptionClass()).isEqualTo("java.lang.IllegalStateException");
        assertThat(entries.get(1).outcome().message()).isEqualTo("no item 7");
        assertThat(w.lastPosition()).as("the last record is the last outcome").isEqualTo(journal.lastPosition());
    }

    // ---- C1: every response, error answers included, waits for its fsync ---------------------------------

    @Test
    void aHandlerThatThrowsIsRethrownOnlyAfterItsEntryIsOnDisk() throws Exception {
        CountDownLatch fsyncStarted = new CountDownLatch(1);
        CountDownLatch fsyncMayEnd = new CountDownLatch(1);
        Durability always = Durability.of(SyncMode.ALWAYS, () -> {
            long covered = journal.lastPosition();
            fsyncStarted.countDown();
            try {
                fsyncMayEnd.await(GUARD_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new java.io.IOException(e);
            }
            return covered;
        }, Duration.ofMillis(100), r -> { });
        closing.add(always);
        WritePath w = writePath(1_000_000, always, ample(), 0, () -> { });
        ExecutorService client = Executors.newSingleThreadExecutor();
        try {
            Future<Long> answer = client.submit(() -> post(w, new byte[0], () -> {
                throw new IllegalStateException("the handler failed");
            }));
            assertThat(fsyncStarted.await(GUARD_SECONDS, TimeUnit.SECONDS)).as("an fsync began").isTrue();
            assertThat(answer).as("the handler's exception is held while the fsync runs").isNotDone();
            fsyncMayEnd.countDown();
            assertThatThrownBy(() -> answer.get(GUARD_SECONDS, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("the handler failed");
            assertThat(journal.lastPosition()).as("the request stays journaled").isNotEqualTo(Journal.NO_POSITION);
        } finally {
            client.shutdownNow();
        }
    }

    @Test
    void aHandlerErrorIsKeptWhenTheFsyncFailsToo() throws Exception {
        Durability always = Durability.of(SyncMode.ALWAYS, () -> {
            throw new java.io.IOException("EIO");
        }, Duration.ofMillis(100), r -> { });
        closing.add(always);
        WritePath w = writePath(1_000_000, always, ample(), 0, () -> { });
        assertThatThrownBy(() -> post(w, new byte[0], () -> {
            throw new IllegalStateException("the handler failed");
        })).isInstanceOf(JournalUnavailableException.class).hasMessageContaining("EIO")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .satisfies(s -> assertThat(s).hasMessage("the handler failed")));
    }

    // ---- the free-space gate counts each entry, under the order ----------------------------------------

    @Test
    void entriesAreCountedAgainstTheFreeSpaceSoTheyCannotTogetherFillTheMargin() throws Exception {
        // 20 MiB above the margin; each applied 8 MiB entry uses 8 MiB of the volume, as a page-faulted mapping does.
        AtomicInteger applied = new AtomicInteger();
        DiskSpace space = new DiskSpace(() -> MIN_FREE + 20 * MIB - applied.get() * 8 * MIB, dir, MIN_FREE);
        WritePath w = writePath(1_000_000, none(), space, 0, () -> { });
        byte[] body = new byte[(int) (8 * MIB)];

        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Long>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < writers; i++) {
                answers.add(pool.submit(() -> {
                    go.await(GUARD_SECONDS, TimeUnit.SECONDS);
                    return post(w, body, applied::incrementAndGet);
                }));
            }
            go.countDown();
            int refused = 0;
            for (Future<Long> a : answers) {
                try {
                    a.get(GUARD_SECONDS, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(JournalUnavailableException.class)
                            .hasMessageContaining("nearly full").hasMessageContaining("reprise.journal.min-free");
                    refused++;
                }
            }
            assertThat(applied.get()).as("two 8 MiB entries fit 20 MiB above the margin, a third does not").isEqualTo(2);
            assertThat(refused).isEqualTo(writers - 2);
            assertThat(requestsJournaled()).as("refused requests were not journaled").isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ampleSpaceIsNotReadForEveryRequest() throws Exception {
        AtomicInteger readings = new AtomicInteger();
        DiskSpace space = new DiskSpace(() -> {
            readings.incrementAndGet();
            return 1L << 40;
        }, dir, MIN_FREE, Long.MAX_VALUE / 4); // a reading that never ages: only the budget calls for another
        WritePath w = writePath(1_000_000, none(), space, 0, () -> { });
        for (int i = 0; i < 200; i++) {
            post(w, new byte[16], () -> { });
        }
        assertThat(readings.get()).as("statvfs calls for 200 requests on an ample volume").isEqualTo(1);
    }

    @Test
    void spaceThatReturnsIsUsedAgain() throws Exception {
        AtomicLong usable = new AtomicLong(MIN_FREE);
        DiskSpace space = new DiskSpace(usable::get, dir, MIN_FREE);
        WritePath w = writePath(1_000_000, none(), space, 0, () -> { });
        assertThatThrownBy(() -> post(w, new byte[16], () -> { })).isInstanceOf(JournalUnavailableException.class);
        usable.set(MIN_FREE + MIB);
        assertThat(post(w, new byte[16], () -> { })).isNotEqualTo(Journal.NO_POSITION);
    }

    // ---- a lost right to write is seen by the write path itself ----------------------------------------

    @Test
    void anExpiredLeaseRefusesWritesBeforeTheWatchdogNotices() throws Exception {
        WritePath w = writePath(1_000_000, none(), ample(), 0, () -> { });
        AtomicInteger applied = new AtomicInteger();
        String[] expiry = {null};
        w.bound(() -> expiry[0]);
        post(w, new byte[0], applied::incrementAndGet);
        expiry[0] = "Lease test/data was last renewed 12000 ms ago";
        assertThatThrownBy(() -> post(w, new byte[0], applied::incrementAndGet))
                .isInstanceOf(JournalUnavailableException.class)
                .hasMessageContaining("this process stopped writing: fenced out: ").hasMessageContaining("last renewed 12000 ms ago");
        assertThat(applied.get()).as("the refused request was not applied").isEqualTo(1);
        assertThat(requestsJournaled()).as("nor journaled").isEqualTo(1);
    }

    // ---- count-based snapshots -------------------------------------------------------------------------

    @Test
    void aSnapshotIsAskedForAtOnceWhenRecoveryReplayedMoreThanTheThreshold() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        writePath(700, none(), ample(), 3_346, asked::incrementAndGet);
        assertThat(asked.get()).as("3346 entries replayed, reprise.snapshot.every=700").isEqualTo(1);
    }

    @Test
    void countBasedSnapshotsKeepComingWhenTheCountStartsAboveTheThreshold() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        WritePath w = writePath(700, none(), ample(), 3_346, asked::incrementAndGet);
        asked.set(0);
        for (int i = 0; i < 1_500; i++) {
            post(w, new byte[0], () -> { });
        }
        // No snapshot was taken (none marked taken), so the write path asks again every 700 entries.
        assertThat(asked.get()).as("asks in 1500 entries above the threshold").isEqualTo(2);

        w.whileNoRequestRuns(() -> {
            w.snapshotTaken();
            return null;
        });
        asked.set(0);
        for (int i = 0; i < 699; i++) {
            post(w, new byte[0], () -> { });
        }
        assertThat(asked.get()).as("699 entries after a snapshot").isZero();
        post(w, new byte[0], () -> { });
        assertThat(asked.get()).as("the 700th").isEqualTo(1);
    }
}
