package io.reprise.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Saves and restores the application's state, so that recovery replays only the journal written after the
 * newest snapshot instead of the whole journal.
 *
 * <p>Reprise journals every state-changing request before it is applied. A snapshot is a copy of the state as
 * it stands after a given journal position; on startup Reprise restores the newest valid snapshot and then
 * replays the journal after it. Without a provider everything still works: the whole journal is replayed on
 * every start, and the journal is never trimmed.
 *
 * <p>The state a provider saves is exactly the state that journaled requests change. Bytes are the provider's
 * own business: Reprise stores them, checksums them and hands them back unchanged, but never looks inside.
 * Write a version number of your own first, so that a later release of the application can still read
 * snapshots written by this one.
 *
 * <h2>Making a provider known to Reprise</h2>
 *
 * Either way works; use the second when the provider needs objects that a dependency-injection container
 * creates:
 * <ul>
 *   <li><b>{@link java.util.ServiceLoader}:</b> list the class in
 *       {@code META-INF/services/io.reprise.snapshot.SnapshotProvider} on the application's class path. The
 *       class must be public and have a public no-argument constructor, so it must reach the state by itself
 *       (a static field, a singleton).</li>
 *   <li><b>{@link SnapshotProviders#register(SnapshotProvider)}:</b> call it from application code, for
 *       example from a Spring bean's constructor or {@code @PostConstruct} method, before the HTTP server
 *       opens its port.</li>
 * </ul>
 *
 * <h2>Example</h2>
 *
 * <pre>{@code
 * public final class AccountSnapshots implements SnapshotProvider {
 *     private static final int FORMAT = 1;        // this provider's own format, not Reprise's
 *     private final Accounts accounts;            // the application's state
 *
 *     public AccountSnapshots(Accounts accounts) {
 *         this.accounts = accounts;
 *         SnapshotProviders.register(this);
 *     }
 *
 *     @Override
 *     public void save(OutputStream out) throws IOException {
 *         DataOutputStream data = new DataOutputStream(out);   // out is already buffered
 *         Map<String, Long> balances = accounts.balances();
 *         data.writeInt(FORMAT);
 *         data.writeInt(balances.size());
 *         for (Map.Entry<String, Long> e : balances.entrySet()) {
 *             data.writeUTF(e.getKey());
 *             data.writeLong(e.getValue());
 *         }
 *         data.flush();                                        // flush, never close: Reprise owns out
 *     }
 *
 *     @Override
 *     public void restore(InputStream in) throws IOException {
 *         DataInputStream data = new DataInputStream(in);
 *         int format = data.readInt();
 *         if (format != FORMAT) {
 *             throw new IOException("unknown account snapshot format " + format);
 *         }
 *         Map<String, Long> balances = new HashMap<>();
 *         for (int i = data.readInt(); i > 0; i--) {
 *             balances.put(data.readUTF(), data.readLong());
 *         }
 *         accounts.replaceAll(balances);                       // replace wholesale, never merge
 *     }
 * }
 * }</pre>
 *
 * <p>Implementations must be safe to call from a Reprise thread, which is not a request thread.
 *
 * @see SnapshotProviders
 */
public interface SnapshotProvider {

    /**
     * Writes the complete state to {@code out}.
     *
     * <p>Reprise calls this while no journaled request runs: it holds the order that journaled requests take,
     * so the state is consistent and corresponds to one exact journal position. Requests that are not
     * journaled (by default GET, HEAD and OPTIONS) keep running meanwhile, as they do next to any write, so
     * they must not change the state.
     *
     * <p>Make it fast: every journaled request waits for as long as this method runs. Copy the state, or write
     * it straight out; do not do network calls or other slow work here. A state too large to write in a few
     * milliseconds should implement {@link #capture()} as well, which Reprise then calls instead. Checksumming, fsync and the atomic
     * rename of the snapshot file happen after this method returns, when writers run again.
     *
     * <p>{@code out} is buffered; wrapping it in a {@code DataOutputStream}, an {@code ObjectOutputStream} or a
     * JSON generator needs no further buffering. <b>Do not close {@code out}</b> (nor a wrapper that closes
     * it); flush the wrapper instead, or call {@code finish()} on a {@code GZIPOutputStream}. Reprise owns the
     * stream and finishes the file after this method returns.
     *
     * <p>If this method throws, the partial snapshot is discarded. Nothing is lost: the journal still holds
     * every request since the last good snapshot, recovery just replays more of it.
     *
     * @param out where the state goes; buffered, owned by Reprise, not to be closed
     * @throws IOException if the state cannot be written; the snapshot is then discarded
     */
    void save(OutputStream out) throws IOException;

    /**
     * The state as {@link #capture()} froze it, written after journaled requests run again.
     *
     * <p>{@link #writeTo} runs on a Reprise thread while writers change the live state, so it may touch only what
     * the capture froze: an immutable copy, a persistent (structurally shared) collection's current version, values
     * read at capture. Never the live state. The same rules for {@code out} as for {@link #save}: buffered, owned by
     * Reprise, flush but do not close. If it throws, the snapshot is discarded and nothing is lost.
     */
    @FunctionalInterface
    interface Frozen {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Freezes the state for a snapshot whose writing does not stop writers: the optional, faster form of
     * {@link #save}. Reprise calls it while no journaled request runs, exactly as it would call {@code save}, and
     * writes what it returns after releasing the order, while journaled requests are applied again.
     *
     * <p>What capture may do: read the state and keep what {@link Frozen#writeTo} will need, in time that does not
     * grow with the state, or grows only as a cheap copy does. Read a volatile reference to an immutable or
     * persistent structure (O(1)); copy a few fields; copy an array of references. What it may not do: write
     * anything out, block, or hand {@code writeTo} a reference to state that later requests change in place: the
     * snapshot would then hold a mix of states that no journal position matches, and recovery would come back
     * different.
     *
     * <p>The default returns {@code null}: there is no frozen view, so Reprise calls {@link #save} while the order is
     * held, as for every provider written before this method existed. Those keep working unchanged.
     *
     * <p>Reprise also calls it once at startup, after recovery and before the port opens, and drops what it returns
     * without calling {@link Frozen#writeTo}: the first snapshot under load then does not pay for loading the classes
     * capture uses while writers wait. So capture must not change the state or count its calls.
     *
     * @return the frozen state, or null to have {@link #save} called under the order instead
     * @throws IOException if the state cannot be captured; the snapshot is then not taken
     */
    default Frozen capture() throws IOException {
        return null;
    }

    /**
     * Replaces the state with the one read from {@code in}.
     *
     * <p>Reprise calls this once at startup, before it replays the journal and before the HTTP server accepts
     * its first connection, with the bytes an earlier {@link #save(OutputStream)} wrote. The snapshot's
     * checksum has been verified, so the bytes are exactly those {@code save} wrote; they may come from an
     * earlier release of the application, so check the version you wrote first.
     *
     * <p>If this method throws, Reprise may call it again with an older snapshot (and then replay a longer part
     * of the journal). So it must <b>replace the state wholesale, never merge</b> into what is there, and a
     * failed call must not leave anything behind that a later call would not overwrite.
     *
     * <p>When no snapshot exists yet, this method is not called, and the whole journal is replayed onto the
     * state the application starts with.
     *
     * <p>{@code in} is buffered and holds the snapshot's bytes only; reading past them returns end of stream.
     * Reprise closes it after this method returns.
     *
     * @param in the bytes of one snapshot, checksum-verified; buffered, owned by Reprise
     * @throws IOException if the state cannot be read; Reprise may then try an older snapshot
     */
    void restore(InputStream in) throws IOException;

    /**
     * Puts the state back to what the application starts with, as if no request had ever been applied.
     *
     * <p>Reprise calls this only when {@link #restore(InputStream)} threw for every snapshot there is: it then
     * replays the whole journal, and must not replay it onto whatever the failed calls left behind. A provider that
     * implements this lets such a service start (with a longer replay); with the default, which cannot know the
     * state, Reprise refuses to start instead, and says so, rather than come up with a state that is wrong without
     * anyone noticing. Like {@code restore}, it runs once at startup, before any request.
     *
     * @throws IOException if the state cannot be reset; the service then does not start
     * @throws UnsupportedOperationException (the default) when the provider cannot reset the state
     */
    default void reset() throws IOException {
        throw new UnsupportedOperationException(getClass().getName() + " does not implement SnapshotProvider.reset()");
    }
}
