package io.reprise.agent.writepath;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.agent.bridge.Determinism;
import io.reprise.agent.spi.AsyncCall;
import io.reprise.agent.spi.RequestHandle;
import io.reprise.journal.Header;
import io.reprise.journal.Journal;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.Outcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Asynchronous journaled requests ({@link WritePath#submit}) on a real journal, with an executor as the event loop. */
class AsyncLaneTest {

    /** Wait bound for what the test itself releases: a guard against a hang, not a timing expectation. */
    static final long GUARD_SECONDS = 60;

    @TempDir
    Path dir;
    Journal journal;
    final ExecutorService eventLoop = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-event-loop"));
    final ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-other-thread"));

    @BeforeEach
    void openJournal() throws Exception {
        journal = Journal.open(dir.resolve("journal"));
    }

    @AfterEach
    void close() {
        eventLoop.shutdownNow();
        other.shutdownNow();
        journal.close();
    }

    WritePath writePath(int queue, Duration timeout, boolean deterministic) {
        WritePath w = new WritePath(Set.of("POST"), List.of(), 1_000_000, 1 << 20, deterministic);
        w.asyncLimits(queue, timeout);
        w.open(journal, WritePathTest.none(), WritePathTest.ample(), 0, () -> { });
        return w;
    }

    /** An asynchronous request whose handler is {@code start}; records how it was answered. */
    final class Call implements AsyncCall {
        final String target;
        final Consumer<RequestHandle> start;
        final CompletableFuture<Long> durable = new CompletableFuture<>();
        final CompletableFuture<String> refused = new CompletableFuture<>();
        final CountDownLatch started = new CountDownLatch(1);
        volatile String startedOn;

        Call(String target, Consumer<RequestHandle> start) {
            this.target = target;
            this.start = start;
        }

        @Override public String method() { return "POST"; }
        @Override public String target() { return target; }
        @Override public List<Header> headers() { return List.of(); }
        @Override public byte[] body() { return new byte[0]; }
        @Override public WritePath.Keyed keyed() { return null; }
        @Override public java.util.concurrent.Executor executor() { return eventLoop; }

        @Override
        public void start(RequestHandle handle) {
            startedOn = Thread.currentThread().getName();
            started.countDown();
            start.accept(handle);
        }

        @Override
        public void durable(long position) {
            if (!durable.complete(position) || refused.isDone()) {
                throw new AssertionError("answered twice");
            }
        }

        @Override
        public void refused(int status, String reason) {
            if (!refused.complete(status + " " + reason) || durable.isDone()) {
                throw new AssertionError("answered twice");
            }
        }

        boolean awaitStarted() throws InterruptedException {
            return started.await(GUARD_SECONDS, TimeUnit.SECONDS);
        }
    }

    List<JournalEntry> entries() {
        List<JournalEntry> entries = new ArrayList<>();
        try (var reader = journal.readAfter(Journal.NO_POSITION)) {
            for (var e = reader.next(); e != null && entries.size() < 100; e = reader.next()) {
                entries.add(e);
            }
        }
        return entries;
    }

    @Test
    void aRequestCompletedLaterOnAnotherThreadHoldsTheOrderUntilThenAndIsAnsweredOnceDurable() throws Exception {
        WritePath w = writePath(16, Duration.ofSeconds(GUARD_SECONDS), false);
        CompletableFuture<RequestHandle> held = new CompletableFuture<>();
        Call async = new Call("/async", held::complete); // starts the handler, completes nothing yet

        w.submit(async);
        assertThat(async.awaitStarted()).isTrue();
        assertThat(async.startedOn).as("callbacks run on the call's executor").isEqualTo("test-event-loop");

        // A synchronous request arriving now waits for the order, which the asynchronous one holds until completed.
        AtomicBoolean completed = new AtomicBoolean();
        AtomicBoolean syncSawCompleted = new AtomicBoolean();
        ExecutorService syncThread = Executors.newSingleThreadExecutor();
        Future<Long> sync = syncThread.submit(() -> w.apply("POST", "/sync", List.of(), new byte[0], () -> {
            syncSawCompleted.set(completed.get());
            return Outcome.answered(200, 0);
        }));
        long guard = System.nanoTime() + TimeUnit.SECONDS.toNanos(GUARD_SECONDS);
        while (!w.waitingForOrder() && System.nanoTime() < guard) {
            Thread.onSpinWait();
        }
        assertThat(w.waitingForOrder()).as("the synchronous request waits for the order").isTrue();
        assertThat(async.durable).isNotDone();

        RequestHandle handle = held.get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(other.submit(() -> {
            completed.set(true);
            return handle.complete(Outcome.answered(201, 0));
        }).get(GUARD_SECONDS, TimeUnit.SECONDS)).as("completed from another thread").isTrue();

        assertThat(async.durable.get(GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo(handle.position());
        sync.get(GUARD_SECONDS, TimeUnit.SECONDS);
        syncThread.shutdown();
        assertThat(syncSawCompleted).as("the synchronous request ran only after the asynchronous one completed").isTrue();
        assertThat(entries()).extracting(JournalEntry::target).containsExactly("/async", "/sync");
        assertThat(entries().get(0).outcome()).isEqualTo(Outcome.answered(201, 0));
        assertThat(async.refused).isNotDone();
    }

    @Test
    void aRequestThatNeverCompletesIsJournaledAsTimedOutRefusedWith503AndReleasesTheOrder() throws Exception {
        WritePath w = writePath(16, Duration.ofMillis(200), false);
        CompletableFuture<RequestHandle> held = new CompletableFuture<>();
        Call hung = new Call("/hangs", held::complete);
        Call next = new Call("/next", h -> h.complete(Outcome.answered(200, 0)));

        w.submit(hung);
        w.submit(next);

        assertThat(hung.refused.get(GUARD_SECONDS, TimeUnit.SECONDS)).startsWith("503 ")
                .contains("POST /hangs did not complete within 200 ms (reprise.journal.timeout)");
        assertThat(next.durable.get(GUARD_SECONDS, TimeUnit.SECONDS)).isPositive();
        assertThat(held.get().complete(Outcome.answered(200, 0))).as("a late response is dropped").isFalse();
        List<JournalEntry> entries = entries();
        assertThat(entries).extracting(JournalEntry::target).containsExactly("/hangs", "/next");
        assertThat(entries.get(0).outcome().exceptionClass()).isEqualTo("io.reprise.agent.JournalTimeout");
        assertThat(hung.durable).isNotDone();
    }

    @Test
    void pastTheQueueBoundARequestIsRefusedAtOnceWithoutWaiting() throws Exception {
        WritePath w = writePath(1, Duration.ofSeconds(GUARD_SECONDS), false);
        CompletableFuture<RequestHandle> held = new CompletableFuture<>();
        Call first = new Call("/first", held::complete);
        Call second = new Call("/second", h -> h.complete(Outcome.answered(200, 0)));
        Call third = new Call("/third", h -> h.complete(Outcome.answered(200, 0)));

        w.submit(first);
        assertThat(first.awaitStarted()).isTrue(); // in the order: the queue is empty again
        w.submit(second); // waits in the queue (its one place)
        w.submit(third); // refused

        assertThat(third.refused.get(GUARD_SECONDS, TimeUnit.SECONDS)).startsWith("503 ")
                .contains("1 journaled requests are already waiting for the order (reprise.journal.queue)");
        assertThat(second.started.getCount()).isEqualTo(1);
        held.get().complete(Outcome.answered(200, 0));
        assertThat(second.durable.get(GUARD_SECONDS, TimeUnit.SECONDS)).isPositive();
        assertThat(entries()).extracting(JournalEntry::target).containsExactly("/first", "/second");
    }

    @Test
    void valuesTakenOnTheRequestsOwnContinuationsAreRecordedAndItIsInTheOrderThere() throws Exception {
        WritePath w = writePath(16, Duration.ofSeconds(GUARD_SECONDS), true);
        List<Boolean> inOrder = new CopyOnWriteArrayList<>();
        Call call = new Call("/clock", handle -> other.execute(() -> {
            // A continuation on another thread: entered, its clock reads are this request's.
            try (RequestHandle.Scope entered = handle.enter()) {
                Determinism.currentTimeMillis();
                inOrder.add(w.inOrderOnThisThread());
            }
            inOrder.add(w.inOrderOnThisThread());
            handle.complete(Outcome.answered(200, 0));
        }));

        w.submit(call);

        call.durable.get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(inOrder).containsExactly(true, false);
        assertThat(entries().get(0).outcome().recorded()).as("the continuation's clock read").isNotEmpty();
    }

    @Test
    void aHandlerThatThrowsAtStartIsJournaledAsHavingThrownAndAnswered() throws Exception {
        WritePath w = writePath(16, Duration.ofSeconds(GUARD_SECONDS), false);
        Call call = new Call("/throws", h -> {
            throw new IllegalStateException("no item 7");
        });

        w.submit(call);

        call.durable.get(GUARD_SECONDS, TimeUnit.SECONDS);
        Outcome outcome = entries().get(0).outcome();
        assertThat(outcome.exceptionClass()).isEqualTo("java.lang.IllegalStateException");
        assertThat(outcome.message()).isEqualTo("no item 7");
    }

    @Test
    void whenTheJournalIsClosedARequestIsRefusedAndNotApplied() throws Exception {
        WritePath w = writePath(16, Duration.ofSeconds(GUARD_SECONDS), false);
        w.close("the service is shutting down");
        Call call = new Call("/late", h -> {
            throw new AssertionError("not applied");
        });

        w.submit(call);

        assertThat(call.refused.get(GUARD_SECONDS, TimeUnit.SECONDS))
                .isEqualTo("503 reprise: request not applied: the service is shutting down");
        assertThat(call.started.getCount()).isEqualTo(1);
        assertThat(entries()).isEmpty();
    }
}
