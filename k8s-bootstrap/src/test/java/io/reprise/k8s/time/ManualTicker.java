package io.reprise.k8s.time;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Ticker} for tests: its time stands still until the test moves it, so what the code under test decides (a
 * renew deadline missed, a Lease expired, an interval up) follows from the test's steps, never from how fast a loaded
 * machine runs. A request to a mock API server takes real time, but none of this ticker's.
 *
 * <p>The thread that creates it drives it (the test's thread). Time moves when the driver calls {@link #advance}, or
 * {@link #sleep} (code under test waiting on the driver's thread, such as {@code LeaseFence.acquire}). Moving time
 * does everything that falls due on the way, in order of due time and, on a tie, in the order it was scheduled:
 * <ul>
 *   <li>tasks of its {@linkplain #newScheduler schedulers} run on the driver's thread;</li>
 *   <li>{@linkplain #start participants}, threads that sleep on this ticker, wake one at a time, and the driver waits
 *       until the woken one sleeps again or ends.</li>
 * </ul>
 * So one thing runs at a time, and every run of a test sees the same events in the same order. Real time only bounds
 * how long the driver waits for a participant to sleep or end ({@link #HANG}): a guard against a hang, not a timing.
 */
public final class ManualTicker implements Ticker, AutoCloseable {

    /** How long, in real time, the driver waits for a participant before calling it stuck. Only a guard against a hang. */
    public static final Duration HANG = Duration.ofSeconds(60);
    /** Events one {@link #advance} may run before it calls the schedule a runaway: a guard against an endless loop. */
    private static final int MAX_EVENTS_PER_ADVANCE = 1_000_000;
    /** {@link #nanoTime()} at creation: not 0, so that nothing can rely on the origin. */
    private static final long ORIGIN = 1_000_000_000_000L;
    /** {@link #instant()} at creation. */
    private static final Instant EPOCH = Instant.parse("2026-11-23T12:00:00Z");

    private enum State { RUNNING, SLEEPING, DONE }

    private final Thread driver = Thread.currentThread();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<Due> due = new PriorityQueue<>();            // guarded by lock
    private final Map<Thread, Participant> participants = new LinkedHashMap<>(); // guarded by lock
    private volatile long now = ORIGIN;                                      // written under lock
    private long sequence;                                                   // guarded by lock
    private boolean advancing;                                               // guarded by lock

    /** Something that falls due at {@code at}; {@code order} breaks ties in the order things were scheduled. */
    private record Due(long at, long order, Runnable action) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            return at != other.at ? Long.compare(at, other.at) : Long.compare(order, other.order);
        }
    }

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public Instant instant() {
        return EPOCH.plusNanos(now - ORIGIN);
    }

    /** How far the time has moved since this ticker was created. */
    public Duration elapsed() {
        return Duration.ofNanos(now - ORIGIN);
    }

    /**
     * On the driver's thread: {@link #advance}. On a participant's: sleeps until the driver's advancing reaches the
     * end of {@code duration}. Any other thread may not sleep here.
     */
    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (duration.isNegative() || duration.isZero()) {
            return;
        }
        if (Thread.currentThread() == driver) {
            advance(duration);
            return;
        }
        lock.lock();
        try {
            Participant p = participants.get(Thread.currentThread());
            if (p == null) {
                throw new IllegalStateException(Thread.currentThread().getName() + " sleeps on a ManualTicker that does not drive it: "
                        + "only the thread that created it and threads from start() may");
            }
            Due wake = new Due(now + duration.toNanos(), sequence++, () -> wake(p));
            due.add(wake);
            p.state = State.SLEEPING;
            p.wakeAt = wake.at();
            changed.signalAll();
            while (p.state == State.SLEEPING) {
                try {
                    changed.await();
                } catch (InterruptedException e) {
                    due.remove(wake);
                    p.state = State.RUNNING;
                    throw e;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Tasks run on the driver's thread as the time reaches them; {@code threads} and {@code threadFactory} are not used. */
    @Override
    public ScheduledExecutorService newScheduler(int threads, ThreadFactory threadFactory) {
        return new ManualScheduler(this);
    }

    /** Moves the time forward by {@code duration}, doing everything that falls due on the way, in order. Driver only. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time does not go back: " + duration);
        }
        requireDriver("advance()");
        long target;
        lock.lock();
        try {
            if (advancing) {
                throw new IllegalStateException("advance() or sleep() from a task this ticker runs: a task takes none of its time");
            }
            advancing = true;
            target = now + duration.toNanos();
        } finally {
            lock.unlock();
        }
        try {
            for (int events = 0; ; events++) {
                Due next;
                lock.lock();
                try {
                    next = due.peek();
                    if (next == null || next.at() > target) {
                        now = target;
                        return;
                    }
                    due.poll();
                    now = Math.max(now, next.at());
                } finally {
                    lock.unlock();
                }
                if (events >= MAX_EVENTS_PER_ADVANCE) {
                    throw new IllegalStateException("more than " + MAX_EVENTS_PER_ADVANCE + " events in one advance(" + duration
                            + "): a task that reschedules itself without delay?");
                }
                next.action().run();
            }
        } finally {
            lock.lock();
            try {
                advancing = false;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Moves the time forward to {@code when} (see {@link #advance}). */
    public void advanceTo(Instant when) {
        advance(Duration.between(instant(), when));
    }

    /**
     * Starts {@code body} on a thread of its own that this ticker drives: it runs until it sleeps on this ticker or
     * ends, and only then does this method return; it wakes only when the driver moves the time to its wake-up.
     * Driver only.
     */
    public Participant start(String name, Body body) {
        requireDriver("start()");
        Participant p = new Participant(name);
        Thread thread = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                p.failure = e;
            } finally {
                lock.lock();
                try {
                    p.state = State.DONE;
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
        }, name);
        thread.setDaemon(true);
        p.thread = thread;
        lock.lock();
        try {
            participants.put(thread, p);
            p.state = State.RUNNING;
            thread.start();
            awaitQuiet(p);
        } finally {
            lock.unlock();
        }
        return p;
    }

    /**
     * Interrupts every participant that has not ended and waits for it to end; what they throw then is theirs to
     * ignore (see {@link Participant#join} for a participant the test expects to end). Driver only.
     */
    @Override
    public void close() {
        requireDriver("close()");
        List<Participant> running;
        lock.lock();
        try {
            running = new ArrayList<>(participants.values());
        } finally {
            lock.unlock();
        }
        for (Participant p : running) {
            if (!p.isDone()) {
                p.thread.interrupt();
                p.awaitEnd();
            }
        }
    }

    /** Schedules {@code action} to run on the driver's thread when the time reaches {@code at}. */
    void at(long at, Runnable action) {
        lock.lock();
        try {
            due.add(new Due(at, sequence++, action));
        } finally {
            lock.unlock();
        }
    }

    /** Whether the calling thread may move the time now: it is the driver, and not inside a task. */
    boolean mayAdvance() {
        lock.lock();
        try {
            return Thread.currentThread() == driver && !advancing;
        } finally {
            lock.unlock();
        }
    }

    private void wake(Participant p) {
        lock.lock();
        try {
            if (p.state != State.SLEEPING) {
                return; // interrupted meanwhile
            }
            p.state = State.RUNNING;
            changed.signalAll();
            awaitQuiet(p);
        } finally {
            lock.unlock();
        }
    }

    /** Waits, with the lock held, until {@code p} sleeps on this ticker again or ends. */
    private void awaitQuiet(Participant p) {
        long left = HANG.toNanos();
        while (p.state == State.RUNNING) {
            if (left <= 0) {
                throw new AssertionError(p.name + " neither slept on the ManualTicker nor ended within " + HANG
                        + " of real time (a hang guard); it is at " + Arrays.toString(p.thread.getStackTrace()));
            }
            try {
                left = changed.awaitNanos(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + p.name, e);
            }
        }
    }

    private void requireDriver(String what) {
        if (Thread.currentThread() != driver) {
            throw new IllegalStateException(what + " on " + Thread.currentThread().getName() + ": only the thread that created "
                    + "this ManualTicker (" + driver.getName() + ") moves its time");
        }
    }

    /** What a participant runs. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /** A thread that this ticker drives (see {@link #start}). */
    public final class Participant {

        private final String name;
        private volatile Thread thread;
        private volatile State state;       // written under lock
        private volatile long wakeAt;
        private volatile Throwable failure;

        private Participant(String name) {
            this.name = name;
        }

        /** Whether its body has returned or thrown. */
        public boolean isDone() {
            return state == State.DONE;
        }

        /**
         * Waits for its thread to end (a participant that is done ends at once; the wait is bounded by {@link #HANG})
         * and rethrows what its body threw.
         */
        public void join() {
            awaitEnd();
            if (failure != null) {
                throw new AssertionError(name + " failed: " + failure, failure);
            }
        }

        private void awaitEnd() {
            try {
                thread.join(HANG.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while joining " + name, e);
            }
            if (thread.isAlive()) {
                throw new AssertionError(this + " did not end within " + HANG + " of real time (a hang guard)");
            }
        }

        @Override
        public String toString() {
            return switch (state) {
                case RUNNING -> name + ": running";
                case SLEEPING -> name + ": sleeping until +" + TimeUnit.NANOSECONDS.toMillis(wakeAt - ORIGIN) + " ms";
                case DONE -> name + (failure == null ? ": done" : ": failed with " + failure);
            };
        }
    }
}
