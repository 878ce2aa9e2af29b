package io.reprise.agent.writepath;

import io.reprise.agent.bridge.Determinism;
import io.reprise.agent.bridge.Tape;
import io.reprise.agent.config.SyncMode;
import io.reprise.agent.lifecycle.WriteDeadline;
import io.reprise.agent.spi.AsyncCall;
import io.reprise.agent.spi.JournalGate;
import io.reprise.agent.spi.RequestHandle;
import io.reprise.journal.Header;
import io.reprise.journal.Journal;
import io.reprise.journal.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The live write path shared by every server adapter: decides which requests are journaled, and applies
 * each journaled request in one order that is also its journal order (C1, C2).
 *
 * <p>The <em>order</em> is a single lock. Under it a request is appended to the journal and then its
 * handler runs, so journal order equals applied order by construction. Adapters read the request body
 * before calling {@link #apply} and buffer the response until it returns, so the lock is never held while
 * a client's socket is read from or written to (C2): a slow client stalls only its own request.
 */
public final class WritePath implements JournalGate {

    /**
     * The part of a request that runs under the order: the application's filters and handler. Returns what the
     * application answered (status and a digest of the buffered body); an exception it throws is recorded as
     * {@link Outcome#threw}.
     */
    @FunctionalInterface
    public interface Application {
        Outcome run() throws Exception;
    }

    /**
     * The first request of an {@code Idempotency-Key} ({@code io.reprise.agent.idempotency.Idempotency.Ticket}): told
     * when it was applied, under the order so that the key table changes in journal order, and when its response may
     * go out.
     */
    public interface Keyed {
        /** Bytes to reserve on the journal's volume for the stored response besides {@link #OUTCOME_RESERVE}. */
        long reserve();

        /** Under the order, right after the request's outcome was appended (or failed to be). */
        void applied(long requestPosition, long timeMillis, Outcome outcome);

        /** The response may go out, or the request was not applied: the key is no longer in flight. Called once. */
        void release();
    }

    private final Set<String> methods;
    private final ExcludedPaths excluded;
    private final long snapshotEvery;
    private final int maxBody;
    private final boolean deterministic;
    private final ReentrantLock order = new ReentrantLock();
    private volatile Durability durability = Durability.of(io.reprise.agent.config.SyncMode.NONE, () -> Journal.NO_POSITION, null, reason -> { });

    /** Room in every entry besides {@link RequestLimits#boundBesideBody}: Chronicle's header and padding. */
    static final int ENTRY_OVERHEAD = 192;
    /**
     * What the free-space gate reserves for a request's outcome record besides the request: framing, an exception's
     * class name and its message (kept to 1024 chars, up to three bytes each).
     */
    static final int OUTCOME_RESERVE = 4 * 1024;

    private volatile WriteDeadline deadline; // null: no bound (outside Kubernetes)
    private volatile AsyncLane lane = new AsyncLane(this, DEFAULT_QUEUE, DEFAULT_TIMEOUT);

    /** {@code reprise.journal.queue} and {@code reprise.journal.timeout} by default. */
    public static final int DEFAULT_QUEUE = 1024;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    // Guarded by order.
    private Journal journal;
    private DiskSpace diskSpace;
    private String unavailableReason = "the journal is not open yet";
    private volatile long lastPosition = Journal.NO_POSITION; // written under the order; read anywhere
    private long sinceSnapshot;
    private long nextSnapshotNudge;
    private Runnable snapshotDue = () -> { };

    public WritePath(Set<String> methods, List<String> excludedPrefixes, long snapshotEvery, int maxBody) {
        this(methods, excludedPrefixes, snapshotEvery, maxBody, false);
    }

    /**
     * @param deterministic {@code reprise.deterministic}: record the clock, UUID and random values each request's
     *                      handler takes on its thread ({@link Determinism}) in its outcome record
     */
    public WritePath(Set<String> methods, List<String> excludedPrefixes, long snapshotEvery, int maxBody,
                     boolean deterministic) {
        this.deterministic = deterministic;
        this.methods = Set.copyOf(methods);
        this.excluded = new ExcludedPaths(excludedPrefixes);
        this.snapshotEvery = snapshotEvery;
        this.maxBody = maxBody;
    }

    /** Largest request body that is journaled ({@code reprise.journal.max-body}); adapters answer 413 above it. */
    @Override
    public int maxBody() {
        return maxBody;
    }

    /** Whether requests with this method are journaled at some path ({@code reprise.journal.methods}). */
    @Override
    public boolean journalsMethod(String method) {
        return methods.contains(method);
    }

    /**
     * Whether a request with this method and path is journaled (otherwise it runs untouched, C3): its method is
     * journaled and {@link ExcludedPaths} does not exclude its path.
     *
     * @param rawPath the path as received, percent-escapes kept, without the query
     * @param routedPath the decoded path the server routes on, or null if that is the raw path decoded
     */
    @Override
    public boolean journals(String method, String rawPath, String routedPath) {
        return methods.contains(method) && !excluded.excludes(rawPath, routedPath);
    }

    /**
     * Appends the request to the journal and runs {@code application} while holding the order, then, with
     * the order released, waits until the entry is as durable as {@code reprise.sync} promises. Returns the
     * journal position of the request; the adapter lets the response go after that.
     *
     * <p>When the application has returned or thrown, still under the order, its {@link Outcome} is appended after
     * the request, so that replay can check that it answers the same (C9); the wait covers the outcome too. An
     * exception of the application is rethrown, but only after the same wait: the request stays journaled, as it
     * was (at least partly) applied, and whatever response the adapter makes of the exception must not reach the
     * client before the entry and its outcome are durable (C1).
     *
     * @throws JournalUnavailableException when the request could not be journaled (it was then not applied),
     *     or, with {@code sync=always}, when its entry could not be forced to disk (an exception of the
     *     application is then attached as suppressed)
     */
    public long apply(String method, String target, List<Header> headers, byte[] body, Application application)
            throws Exception {
        return apply(method, target, headers, body, null, application);
    }

    /**
     * As {@link #apply(String, String, List, byte[], Application)}, for the first request of an Idempotency-Key:
     * {@code keyed} (null: no key) learns under the order when the request was applied and, whatever happens, that it
     * is released, once the wait for durability is over or the request was refused.
     */
    @Override
    public long apply(String method, String target, List<Header> headers, byte[] body, Keyed keyed,
                      Application application) throws Exception {
        try {
            return applyInOrder(method, target, headers, body, keyed, application);
        } finally {
            if (keyed != null) {
                keyed.release();
            }
        }
    }

    private long applyInOrder(String method, String target, List<Header> headers, byte[] body, Keyed keyed,
                              Application application) throws Exception {
        long size = entrySize(method, target, headers, body) + OUTCOME_RESERVE + (keyed == null ? 0 : keyed.reserve());
        long request;
        long position; // what durability must cover: the outcome, or the request if its outcome was not journaled
        Throwable failed = null;
        String unrecorded = null;
        order.lock();
        try {
            Journal j = append(method, target, headers, body, size);
            request = lastPosition;
            Outcome outcome;
            Tape tape = deterministic ? Tape.recording() : null;
            Tape outer = tape == null ? null : Determinism.begin(tape);
            try {
                outcome = application.run();
            } catch (Exception | Error e) {
                failed = e;
                outcome = Outcome.threw(e.getClass().getName(), e.getMessage());
            } finally {
                if (tape != null) {
                    Determinism.end(outer);
                }
            }
            if (tape != null) {
                outcome = outcome.withRecorded(tape.encode());
            }
            unrecorded = recordOutcome(j, request, outcome, keyed);
            position = unrecorded == null ? lastPosition : request;
        } finally {
            order.unlock();
        }
        try {
            durability.awaitDurable(position);
            if (unrecorded != null) {
                throw new JournalUnavailableException(unrecorded, null);
            }
        } catch (JournalUnavailableException e) {
            if (failed != null) {
                e.addSuppressed(failed);
            }
            throw e;
        }
        if (failed instanceof Error) {
            throw (Error) failed;
        }
        if (failed != null) {
            throw (Exception) failed;
        }
        return request;
    }

    /**
     * Bounds asynchronous requests ({@link #submit}): at most {@code queue} wait for the order, and one holds it at most
     * {@code timeout}. Call before the first request.
     */
    public void asyncLimits(int queue, Duration timeout) {
        this.lane = new AsyncLane(this, queue, timeout);
    }

    @Override
    public void submit(AsyncCall call) {
        lane.submit(call);
    }

    /**
     * One asynchronous request, on the lane's order thread: append, start it on its executor, hold the order until it
     * completes or times out, append its outcome, release the order; answer it once its outcome is durable. Every
     * path ends in exactly one of {@code call.durable} and {@code call.refused}.
     */
    void runInOrder(AsyncCall call, AsyncLane lane) {
        Keyed keyed = call.keyed();
        long size = entrySize(call.method(), call.target(), call.headers(), call.body()) + OUTCOME_RESERVE
                + (keyed == null ? 0 : keyed.reserve());
        long request;
        long position;
        String refusal = null;
        boolean waits;
        order.lock();
        try {
            Journal j;
            try {
                j = append(call.method(), call.target(), call.headers(), call.body(), size);
            } catch (JournalUnavailableException e) {
                AsyncLane.refuse(call, 503, "reprise: request not applied: " + e.getMessage());
                return;
            }
            request = lastPosition;
            AsyncLane.Handle handle = new AsyncLane.Handle(request, deterministic ? Tape.recording() : null);
            AsyncLane.on(call, () -> {
                try (RequestHandle.Scope entered = handle.enter()) {
                    call.start(handle);
                } catch (Exception | Error e) {
                    handle.fail(e);
                }
            });
            Outcome outcome = handle.await(lane.timeout());
            if (outcome == null) {
                outcome = Outcome.threw(AsyncLane.TIMEOUT, "not complete within " + lane.timeout().toMillis()
                        + " ms (reprise.journal.timeout)");
                refusal = "reprise: " + call.method() + " " + call.target() + " did not complete within "
                        + lane.timeout().toMillis() + " ms (reprise.journal.timeout); it is journaled as not complete, "
                        + "and its response, should it come, is dropped";
            } else if (handle.records()) {
                outcome = outcome.withRecorded(handle.recorded());
            }
            String unrecorded = recordOutcome(j, request, outcome, keyed);
            position = unrecorded == null ? lastPosition : request;
            if (unrecorded != null && refusal == null) {
                refusal = "reprise: " + unrecorded;
            }
            waits = durability.mode() == SyncMode.ALWAYS;
        } finally {
            order.unlock();
        }
        long durablePosition = position;
        String refused = refusal;
        lane.afterDurable(waits, () -> {
            String why = refused;
            try {
                durability.awaitDurable(durablePosition);
            } catch (JournalUnavailableException e) {
                why = "reprise: " + e.getMessage();
            }
            if (why != null) {
                AsyncLane.refuse(call, 503, why);
                return;
            }
            AsyncLane.on(call, () -> call.durable(request));
            if (keyed != null) {
                keyed.release();
            }
        });
    }

    /**
     * Under the order, after the request ran: appends its outcome, tells its key, and tells durability what to cover,
     * the outcome, or the request alone when the outcome could not be journaled (replay then applies it as an entry
     * without one). Returns null, with {@link #lastPosition} at the outcome; or, when the outcome could not be
     * journaled, why.
     */
    private String recordOutcome(Journal j, long request, Outcome outcome, Keyed keyed) {
        long position = request;
        String unrecorded = null;
        try {
            position = j.appendOutcome(request, outcome);
            lastPosition = position;
        } catch (RuntimeException e) {
            unrecorded = "the request was applied but its outcome could not be journaled: " + e.getMessage();
        }
        if (keyed != null) {
            keyed.applied(request, j.lastRequestTimeMillis(), outcome); // applied either way: so is its key
        }
        durability.appended(position); // once per request
        return unrecorded;
    }

    /**
     * Appends an agent record ({@link Journal#appendRecord}) in the order, between journaled requests: a change the
     * agent journals itself because no journaled request made it (a container session created by a {@code GET}).
     * Replay applies it at the same place among the requests. It is not waited for: whatever depends on it is a
     * later journaled request, and a journal that holds that request durably holds this record, which is before it.
     *
     * @return null when appended, else why not (the journal is closed, this process was fenced out, the disk is
     *     full, the record is too large); nothing was appended then
     */
    @Override
    public String appendRecord(String type, String target, byte[] body) {
        long size = ENTRY_OVERHEAD + target.length() * 3L + type.length() + 16 + body.length;
        order.lock();
        try {
            Journal j = admit(size);
            long position;
            try {
                position = j.appendRecord(type, target, body);
            } catch (RuntimeException e) {
                return "the journal append failed: " + e.getMessage();
            }
            lastPosition = position;
            durability.appended(position);
            return null;
        } catch (JournalUnavailableException e) {
            return e.getMessage();
        } finally {
            order.unlock();
        }
    }

    /** Whether some thread waits for the order (for tests). */
    boolean waitingForOrder() {
        return order.hasQueuedThreads();
    }

    /**
     * Whether the calling thread is inside the order: running a journaled request's handler (or taking a
     * snapshot). What such a request changes is reproduced by replaying it, so it needs no record of its own.
     */
    @Override
    public boolean inOrderOnThisThread() {
        return order.isHeldByCurrentThread() || AsyncLane.Handle.entered();
    }

    /**
     * Appends the request under the order and returns the journal it went to; on any failure nothing was appended
     * and the request must not be applied.
     */
    private Journal append(String method, String target, List<Header> headers, byte[] body, long size)
            throws JournalUnavailableException {
        Journal j = admit(size);
        long position;
        try {
            position = j.appendRequest(method, target, headers, body);
        } catch (RuntimeException e) {
            throw new JournalUnavailableException("the journal append failed: " + e.getMessage(), e);
        }
        lastPosition = position;
        if (++sinceSnapshot >= nextSnapshotNudge) {
            nextSnapshotNudge = sinceSnapshot + snapshotEvery; // again after as many more, if that one fails
            snapshotDue.run();
        }
        return j;
    }

    /**
     * The journal to append {@code size} bytes to, under the order: refused when it is closed, when this process's
     * right to write has expired, or when the disk lacks the room.
     */
    private Journal admit(long size) throws JournalUnavailableException {
        Journal j = journal;
        if (j == null) {
            throw new JournalUnavailableException(unavailableReason, null);
        }
        WriteDeadline bound = deadline;
        if (bound != null) {
            String expired = bound.expired();
            if (expired != null) {
                // The same words as the refusals once the watchdog has stopped writing (Reprise.stopWriting).
                throw new JournalUnavailableException("this process stopped writing: fenced out: " + expired, null);
            }
        }
        String shortage = diskSpace.reserve(size);
        if (shortage != null) {
            throw new JournalUnavailableException(shortage, null);
        }
        return j;
    }

    /**
     * An upper bound of the bytes the entry takes in the journal: what the free-space gate reserves. The request's
     * fields are bounded as {@link RequestLimits#boundBesideBody} bounds them for the 431 check, and
     * {@link #ENTRY_OVERHEAD} adds Chronicle's header.
     */
    static long entrySize(String method, String target, List<Header> headers, byte[] body) {
        return ENTRY_OVERHEAD + RequestLimits.boundBesideBody(method, target, headers) + (body == null ? 0 : body.length);
    }

    /**
     * Runs {@code action} while no journaled request runs: the state it sees is exactly the state after the
     * entry at {@link #lastPosition()}. Used by snapshots.
     */
    public <T> T whileNoRequestRuns(Callable<T> action) throws Exception {
        order.lock();
        try {
            return action.call();
        } finally {
            order.unlock();
        }
    }

    /**
     * Starts journaling into {@code journal}, whose entries up to its last position are all applied.
     * {@code entriesSinceSnapshot} are the entries no snapshot covers yet (those recovery replayed); when they are
     * already {@code reprise.snapshot.every} or more, a snapshot is asked for at once, so that a long tail left by
     * earlier runs does not make every later start replay it again.
     */
    public void open(Journal journal, Durability durability, long minFree, long entriesSinceSnapshot,
                     Runnable snapshotDue) throws java.io.IOException {
        open(journal, durability, DiskSpace.of(journal.directory(), minFree), entriesSinceSnapshot, snapshotDue);
    }

    void open(Journal journal, Durability durability, DiskSpace space, long entriesSinceSnapshot, Runnable snapshotDue) {
        boolean due;
        order.lock();
        try {
            this.journal = journal;
            this.diskSpace = space;
            this.durability = durability;
            this.lastPosition = journal.lastPosition();
            this.sinceSnapshot = entriesSinceSnapshot;
            due = entriesSinceSnapshot >= snapshotEvery;
            this.nextSnapshotNudge = due ? entriesSinceSnapshot + snapshotEvery : snapshotEvery;
            this.snapshotDue = snapshotDue;
        } finally {
            order.unlock();
        }
        if (due) {
            snapshotDue.run();
        }
    }

    /**
     * From now on, a journaled request is refused (503, not appended, not applied) whenever {@code deadline} says
     * this process's right to write has expired (its Kubernetes Lease), whether or not the watchdog noticed yet.
     */
    public void bound(WriteDeadline deadline) {
        this.deadline = deadline;
    }

    /**
     * Stops journaling; later journaled requests get {@link JournalUnavailableException} with this reason.
     * With {@code sync=batch|always}, a last fsync covers everything journaled before.
     */
    public void close(String reason) {
        order.lock();
        try {
            this.journal = null;
            this.unavailableReason = reason;
        } finally {
            order.unlock();
        }
        durability.close();
    }

    /**
     * Position of the last journaled request. Under {@link #whileNoRequestRuns} it is also the last applied one;
     * elsewhere it is the journal's end as last seen (a request may be running).
     */
    public long lastPosition() {
        return lastPosition;
    }

    /** Marks a snapshot as covering everything applied so far; call under {@link #whileNoRequestRuns}. */
    public void snapshotTaken() {
        sinceSnapshot = 0;
        nextSnapshotNudge = snapshotEvery;
    }
}
