package io.reprise.agent.writepath;

import io.reprise.agent.config.SyncMode;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * When journaled entries reach the disk ({@code reprise.sync}), and what a response waits for.
 *
 * <ul>
 *   <li>{@code none}: never forced by Reprise; the page cache has them, which survives a process crash.</li>
 *   <li>{@code batch}: a background thread forces the journal at least every {@code reprise.sync.interval}
 *       when something was appended; responses do not wait.</li>
 *   <li>{@code always}: {@link #awaitDurable} holds a response until an fsync that covers its entry has
 *       finished. This is group commit: one thread forces the journal whenever someone waits, and every
 *       entry appended before that fsync started is covered by it, so concurrent writers share fsyncs. A waiter
 *       that finds no fsync under way and nobody else waiting forces the journal itself instead, saving the two
 *       wake-ups of a hand-off to that thread and back. The order lock is never held while waiting (the write path
 *       calls this after releasing it).</li>
 * </ul>
 *
 * <p>A failed fsync means entries that were applied may not be on disk. Like Redis with
 * {@code appendfsync always}, Reprise then stops: {@code onFailure} refuses further writes and ends the
 * process, so that the next start rebuilds the state from what the disk really holds.
 */
public final class Durability implements AutoCloseable {

    /** Forces the journal; returns the last position the fsync covers. */
    @FunctionalInterface
    public interface Forcer {
        long force() throws IOException;
    }

    private static final Logger LOG = System.getLogger("io.reprise.durability");

    private final SyncMode mode;
    private final Forcer forcer;
    private final Duration interval;
    private final Consumer<String> onFailure;

    /** How long {@link #close} waits for the fsync thread to finish the fsync it is in. */
    private final Duration joinTimeout;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final Condition forced = lock.newCondition();
    private long requested = Long.MIN_VALUE;  // guarded by lock: highest position someone waits for
    private boolean forcing;                  // guarded by lock (always): an fsync is under way, by the thread or a waiter
    private int waiting;                      // guarded by lock (always): waiters asleep on forced
    private long durable = Long.MIN_VALUE;    // guarded by lock: highest position known on disk
    private long appended = Long.MIN_VALUE;   // guarded by lock (batch): highest position appended
    private String failure;                   // guarded by lock
    private boolean stopping;                 // guarded by lock: the fsync thread ends
    private boolean closed;                   // guarded by lock: waiters not yet covered give up
    private long fsyncs;                      // guarded by lock
    private long awaited;                     // guarded by lock (always): responses that waited for an fsync
    private Thread thread;

    private Durability(SyncMode mode, Forcer forcer, Duration interval, Consumer<String> onFailure, Duration joinTimeout) {
        this.mode = mode;
        this.joinTimeout = joinTimeout;
        this.forcer = forcer;
        this.interval = interval;
        this.onFailure = onFailure;
    }

    public static Durability of(SyncMode mode, Forcer forcer, Duration interval, Consumer<String> onFailure) {
        return of(mode, forcer, interval, onFailure, Duration.ofSeconds(10));
    }

    /** As {@link #of(SyncMode, Forcer, Duration, Consumer)}, with the time {@link #close} waits for the fsync thread. */
    static Durability of(SyncMode mode, Forcer forcer, Duration interval, Consumer<String> onFailure, Duration joinTimeout) {
        Durability d = new Durability(mode, forcer, interval, onFailure, joinTimeout);
        if (mode != SyncMode.NONE) {
            d.thread = new Thread(mode == SyncMode.ALWAYS ? d::groupCommit : d::batch, "reprise-fsync");
            d.thread.setDaemon(true);
            d.thread.start();
        }
        return d;
    }

    public SyncMode mode() {
        return mode;
    }

    /** Called by the write path after each append (under the order, so cheap: batch mode only records it). */
    void appended(long position) {
        if (mode == SyncMode.BATCH) {
            lock.lock();
            try {
                appended = position;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Returns once {@code position} is durable as the mode promises: at once for {@code none} and
     * {@code batch}, after a covering fsync for {@code always}.
     *
     * @throws JournalUnavailableException when the fsync failed or the journal was closed first
     */
    public void awaitDurable(long position) throws JournalUnavailableException {
        if (mode != SyncMode.ALWAYS) {
            return;
        }
        lock.lock();
        try {
            awaited++;
            while (durable < position) {
                if (failure != null) {
                    throw new JournalUnavailableException("the request was applied but its journal entry could not be "
                            + "forced to disk (" + failure + ")", null);
                }
                if (closed) {
                    throw new JournalUnavailableException("the service shut down before the journal entry was forced to disk", null);
                }
                if (!forcing && waiting == 0 && !stopping) {
                    lead(position);
                    continue;
                }
                if (position > requested) {
                    requested = position;
                    work.signal();
                }
                waiting++;
                try {
                    forced.awaitUninterruptibly();
                } finally {
                    waiting--;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A lone waiter, with no fsync under way, forces the journal itself: handing a single request's fsync to the
     * fsync thread and back costs two wake-ups. Called and returns with the lock held, released during the fsync.
     * Requests that arrive meanwhile wait for the fsync thread, which starts as soon as this one is done. A failure
     * is reported on a thread of its own, so that this request's 503 still goes out before {@code onFailure} ends the
     * process.
     */
    private void lead(long position) {
        forcing = true;
        Exception error;
        lock.unlock();
        try {
            error = forceAndRecord(position);
        } finally {
            lock.lock();
            forcing = false;
        }
        if (error != null && !stopping && failure == null) {
            String reason = "fsync of the journal failed: " + error;
            failure = reason;
            Thread report = new Thread(() -> onFailure.accept(reason), "reprise-fsync-failure");
            report.setDaemon(true);
            report.start();
        }
        forced.signalAll(); // also those who waited while this fsync ran
        if (requested > durable) {
            work.signal();
        }
    }

    private void groupCommit() {
        while (true) {
            long target;
            lock.lock();
            try {
                while ((requested <= durable || forcing) && !stopping) {
                    work.awaitUninterruptibly();
                }
                if (stopping || failure != null) {
                    return;
                }
                target = requested;
                forcing = true;
            } finally {
                lock.unlock();
            }
            boolean ok;
            try {
                ok = forceOnce(target);
            } finally {
                lock.lock();
                forcing = false;
                lock.unlock();
            }
            if (!ok) {
                return;
            }
        }
    }

    private void batch() {
        long nanos = interval.toNanos();
        while (true) {
            long target;
            lock.lock();
            try {
                long deadline = System.nanoTime() + nanos;
                long left;
                while (!stopping && (left = deadline - System.nanoTime()) > 0) {
                    work.awaitNanos(left);
                }
                if (stopping) {
                    return;
                }
                if (appended <= durable) {
                    continue;
                }
                target = appended;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            long started = System.nanoTime();
            if (!forceOnce(target)) {
                return;
            }
            long took = System.nanoTime() - started;
            if (took > nanos) {
                LOG.log(Level.WARNING, () -> String.format("reprise: an fsync of the journal took %d ms, longer than "
                        + "reprise.sync.interval (%d ms): on a machine crash the loss window grows with it",
                        TimeUnit.NANOSECONDS.toMillis(took), interval.toMillis()));
            }
        }
    }

    /** One fsync; returns false (and has reported it) when it failed. */
    private boolean forceOnce(long target) {
        Exception error = forceAndRecord(target);
        if (error == null) {
            return true;
        }
        String reason = "fsync of the journal failed: " + error;
        lock.lock();
        try {
            failure = reason;
            forced.signalAll();
        } finally {
            lock.unlock();
        }
        onFailure.accept(reason);
        return false;
    }

    /**
     * Forces the journal (called without the lock) and, when that worked, records what is durable now and wakes the
     * waiters; returns what the fsync threw, or null.
     */
    private Exception forceAndRecord(long target) {
        long covered;
        try {
            covered = forcer.force();
        } catch (IOException | RuntimeException e) {
            return e;
        }
        lock.lock();
        try {
            fsyncs++;
            // The forcer covers everything appended before it started, so at least the target.
            durable = Math.max(durable, Math.max(covered, target));
            forced.signalAll();
        } finally {
            lock.unlock();
        }
        return null;
    }

    /** Number of fsyncs done so far. */
    public long fsyncs() {
        lock.lock();
        try {
            return fsyncs;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops: with {@code batch} and {@code always}, a last fsync covers everything appended so far (orderly
     * shutdown keeps every acknowledged entry on disk); waiters not covered by it are released with an error.
     *
     * <p>After a failed fsync there is no last fsync: the device already reported a write error, and
     * {@code onFailure} (which ends up here, on the fsync thread itself) must not wait for that thread.
     */
    @Override
    public void close() {
        if (mode == SyncMode.NONE) {
            return;
        }
        boolean failed;
        lock.lock();
        try {
            if (stopping) {
                return;
            }
            stopping = true;
            failed = failure != null;
            work.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(joinTimeout.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        long covered = Long.MIN_VALUE;
        if (!failed) {
            try {
                covered = forcer.force();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "reprise: the last fsync of the journal at shutdown failed: " + e);
            }
        }
        long fsyncsDone;
        long responses;
        lock.lock();
        try {
            durable = Math.max(durable, covered);
            closed = true;
            forced.signalAll();
            fsyncsDone = fsyncs;
            responses = awaited;
        } finally {
            lock.unlock();
        }
        if (mode == SyncMode.ALWAYS && responses > 0 && fsyncsDone > 0) {
            // How well group commit batched, for the operator (and the benchmarks): on stderr, since this runs in a
            // shutdown hook and java.util.logging may already have closed its handlers in its own.
            System.err.printf("reprise: sync=always: %d responses waited for %d fsyncs, %.2f per fsync%n", responses,
                    fsyncsDone, (double) responses / fsyncsDone);
        }
    }
}
