package io.reprise.agent.writepath;

import io.reprise.agent.bridge.Determinism;
import io.reprise.agent.bridge.Tape;
import io.reprise.agent.spi.AsyncCall;
import io.reprise.agent.spi.RequestHandle;
import io.reprise.journal.Outcome;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;

/**
 * How asynchronous requests ({@link AsyncCall}) take the order without blocking the threads that submit them (an
 * event loop must never wait for the order): a bounded queue, and one agent thread, {@code reprise-async-order}, that
 * takes each queued request into the order in turn, beside the synchronous requests, holds the order on its behalf
 * until the request's handle is completed or {@code reprise.journal.timeout} passes, and then releases it. Under
 * {@code sync=always} a second thread, {@code reprise-async-durable}, waits for each outcome's fsync in journal order,
 * so the order thread goes on to the next request meanwhile and concurrent requests share fsyncs.
 *
 * <p>The cost is two thread hand-offs per asynchronous request; synchronous requests do not go through here.
 */
final class AsyncLane {

    /** The exception an asynchronous request that did not complete in time is journaled as having thrown. */
    static final String TIMEOUT = "io.reprise.agent.JournalTimeout";

    private static final Logger LOG = System.getLogger("io.reprise.writepath");

    private final WritePath path;
    private final BlockingQueue<AsyncCall> queue;
    private final int capacity;
    private final Duration timeout;
    private final BlockingQueue<Runnable> durable = new LinkedBlockingQueue<>();
    private Thread orderThread;
    private Thread durableThread;

    AsyncLane(WritePath path, int capacity, Duration timeout) {
        this.path = path;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    /** Queues the call, or refuses it at once when the queue is full. Never blocks. */
    void submit(AsyncCall call) {
        start();
        if (!queue.offer(call)) {
            refuse(call, 503, "reprise: request not applied: " + capacity + " journaled requests are already waiting for "
                    + "the order (reprise.journal.queue); retry later");
        }
    }

    private synchronized void start() {
        if (orderThread != null) {
            return;
        }
        orderThread = new Thread(this::takeInTurn, "reprise-async-order");
        orderThread.setDaemon(true);
        orderThread.start();
        durableThread = new Thread(this::answerInTurn, "reprise-async-durable");
        durableThread.setDaemon(true);
        durableThread.start();
    }

    private void takeInTurn() {
        while (true) {
            AsyncCall call;
            try {
                call = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                path.runInOrder(call, this);
            } catch (RuntimeException | Error e) {
                // runInOrder refuses the call itself on every failure it expects; this is a bug, not a reason to stop.
                LOG.log(Level.ERROR, "reprise: the asynchronous order thread failed on " + call.method() + " "
                        + call.target() + "; it goes on with the next request", e);
            }
        }
    }

    private void answerInTurn() {
        while (true) {
            try {
                durable.take().run();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException | Error e) {
                LOG.log(Level.ERROR, "reprise: answering an asynchronous request failed", e);
            }
        }
    }

    /** Runs {@code answer} after the durability wait, on the durable thread (in journal order), or now. */
    void afterDurable(boolean waits, Runnable answer) {
        if (waits) {
            durable.add(answer);
        } else {
            answer.run();
        }
    }

    /** Calls {@code call.refused} on its executor and releases its key. */
    static void refuse(AsyncCall call, int status, String reason) {
        on(call, () -> call.refused(status, reason));
        if (call.keyed() != null) {
            call.keyed().release();
        }
    }

    /** Runs {@code task} on the call's executor; if that refuses it (shut down), runs it here. */
    static void on(AsyncCall call, Runnable task) {
        try {
            call.executor().execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** The handle of one request in the order: completed by any of its threads, awaited by the order thread. */
    static final class Handle implements RequestHandle {

        private static final ThreadLocal<Handle> CURRENT = new ThreadLocal<>();

        private final long position;
        private final Tape tape; // null: reprise.deterministic=false
        private Outcome outcome; // guarded by this
        private boolean ended; // guarded by this

        Handle(long position, Tape tape) {
            this.position = position;
            this.tape = tape;
        }

        /** Whether the calling thread runs inside an asynchronous request (entered). */
        static boolean entered() {
            return CURRENT.get() != null;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public Scope enter() {
            Handle outerHandle = CURRENT.get();
            CURRENT.set(this);
            Tape outer = tape == null ? null : Determinism.begin(tape);
            return () -> {
                if (tape != null) {
                    Determinism.end(outer);
                }
                if (outerHandle == null) {
                    CURRENT.remove();
                } else {
                    CURRENT.set(outerHandle);
                }
            };
        }

        @Override
        public synchronized boolean complete(Outcome outcome) {
            if (ended) {
                return false;
            }
            this.outcome = outcome;
            ended = true;
            notifyAll();
            return true;
        }

        @Override
        public boolean fail(Throwable thrown) {
            return complete(Outcome.threw(thrown.getClass().getName(), thrown.getMessage()));
        }

        /** The outcome once completed, or null when {@code timeout} passed first (the handle is then ended). */
        synchronized Outcome await(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!ended) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    ended = true;
                    return null;
                }
                try {
                    wait(Math.max(1, left / 1_000_000), 0);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    ended = true;
                    return null;
                }
            }
            return outcome;
        }

        /** The recorded values, read once completed (the completing thread's writes happen before, by the monitor). */
        synchronized byte[] recorded() {
            return tape.encode();
        }

        boolean records() {
            return tape != null;
        }
    }
}
