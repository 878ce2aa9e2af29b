package io.reprise.agent.writepath;

import io.reprise.journal.Header;
import io.reprise.journal.Journal;
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
public final class WritePath {

    /** The part of a request that runs under the order: the application's filters and handler. */
    @FunctionalInterface
    public interface Application {
        void run() throws Exception;
    }

    private final Set<String> methods;
    private final ExcludedPaths excluded;
    private final long snapshotEvery;
    private final int maxBody;
    private final ReentrantLock order = new ReentrantLock();
    private volatile Durability durability = Durability.of(io.reprise.agent.config.SyncMode.NONE, () -> Journal.NO_POSITION, null, reason -> { });

    private volatile DiskSpace diskSpace;

    // Guarded by order.
    private Journal journal;
    private String unavailableReason = "the journal is not open yet";
    private long lastPosition = Journal.NO_POSITION;
    private long sinceSnapshot;
    private Runnable snapshotDue = () -> { };

    public WritePath(Set<String> methods, List<String> excludedPrefixes, long snapshotEvery, int maxBody) {
        this.methods = Set.copyOf(methods);
        this.excluded = new ExcludedPaths(excludedPrefixes);
        this.snapshotEvery = snapshotEvery;
        this.maxBody = maxBody;
    }

    /** Largest request body that is journaled ({@code reprise.journal.max-body}); adapters answer 413 above it. */
    public int maxBody() {
        return maxBody;
    }

    /**
     * Whether a request with this method and path is journaled (otherwise it runs untouched, C3): its method is
     * journaled and {@link ExcludedPaths} does not exclude its path.
     *
     * @param rawPath the path as received, percent-escapes kept, without the query
     * @param routedPath the decoded path the server routes on, or null if that is the raw path decoded
     */
    public boolean journals(String method, String rawPath, String routedPath) {
        return methods.contains(method) && !excluded.excludes(rawPath, routedPath);
    }

    /**
     * Appends the request to the journal and runs {@code application} while holding the order, then, with
     * the order released, waits until the entry is as durable as {@code reprise.sync} promises. Returns the
     * journal position of the request; the adapter lets the response go after that. An exception of the
     * application is rethrown after the order is released; the request stays journaled, as it was (at least
     * partly) applied.
     *
     * @throws JournalUnavailableException when the request could not be journaled (it was then not applied),
     *     or, with {@code sync=always}, when its entry could not be forced to disk
     */
    public long apply(String method, String target, List<Header> headers, byte[] body, Application application)
            throws Exception {
        long position = applyInOrder(method, target, headers, body, application);
        durability.awaitDurable(position);
        return position;
    }

    private long applyInOrder(String method, String target, List<Header> headers, byte[] body, Application application)
            throws Exception {
        DiskSpace space = diskSpace;
        String shortage = space == null ? null : space.shortage();
        if (shortage != null) {
            throw new JournalUnavailableException(shortage, null);
        }
        order.lock();
        try {
            Journal j = journal;
            if (j == null) {
                throw new JournalUnavailableException(unavailableReason, null);
            }
            long position;
            try {
                position = j.append(method, target, headers, body);
            } catch (RuntimeException e) {
                throw new JournalUnavailableException("the journal append failed: " + e.getMessage(), e);
            }
            lastPosition = position;
            durability.appended(position);
            if (++sinceSnapshot == snapshotEvery) {
                snapshotDue.run();
            }
            application.run();
            return position;
        } finally {
            order.unlock();
        }
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

    /** Starts journaling into {@code journal}, whose entries up to its last position are all applied. */
    public void open(Journal journal, Durability durability, long minFree, long entriesSinceSnapshot,
                     Runnable snapshotDue) throws java.io.IOException {
        DiskSpace space = DiskSpace.of(journal.directory(), minFree);
        order.lock();
        try {
            this.journal = journal;
            this.diskSpace = space;
            this.durability = durability;
            this.lastPosition = journal.lastPosition();
            this.sinceSnapshot = entriesSinceSnapshot;
            this.snapshotDue = snapshotDue;
        } finally {
            order.unlock();
        }
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

    /** Position of the last journaled (and so applied) request; call under {@link #whileNoRequestRuns}. */
    public long lastPosition() {
        return lastPosition;
    }

    /** Marks a snapshot as covering everything applied so far; call under {@link #whileNoRequestRuns}. */
    public void snapshotTaken() {
        sinceSnapshot = 0;
    }
}
