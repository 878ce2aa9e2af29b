package io.reprise.agent.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * State the agent keeps itself, saved in a snapshot beside the provider's payload as one named section of
 * Reprise's part ({@link io.reprise.snapshot.store.ReprisePart}): container sessions, an Idempotency-Key table.
 * The agent hands the contributors to {@link Snapshots}, which writes them, and to
 * {@link io.reprise.agent.recovery.Recovery}, which restores them. Not for applications, which implement
 * {@code SnapshotProvider}.
 *
 * <p>Recovery tries snapshots newest first and may try several. For each one it calls, on every contributor,
 * {@link #restore} with the contributor's section or {@link #reset()} when the file has none, before the
 * provider's restore; so whichever snapshot is restored in the end, every contributor holds what that snapshot
 * held. Then the journal after it is replayed.
 */
public interface SnapshotSection {

    /**
     * @return the section's name, 1 to 32 characters {@code a-z 0-9 . _ -}, distinct among the contributors
     */
    String name();

    /**
     * @return the version of the encoding {@link #write} produces, 0 to 255; stored with the section and handed to
     *     {@link #restore}, so that a later release can still read what this one wrote
     */
    int version();

    /**
     * Writes the state. Called while no journaled request runs, with the provider's save, so the section and the
     * payload cover the same journal position.
     *
     * @param out the section's bytes go here, streamed to the snapshot file; do not keep it
     * @throws IOException if the state cannot be written; the snapshot is then not taken
     */
    void write(OutputStream out) throws IOException;

    /**
     * Freezes the state, while no journaled request runs, for writing after writers run again: what
     * {@link io.reprise.snapshot.SnapshotProvider#capture()} is to {@code save}. Used only when the provider has a
     * frozen view too (else everything is written under the order). The default returns null: {@link #write} runs
     * under the order, into memory, and the bytes are written with the rest.
     */
    default ProviderHandle.Frozen capture() throws IOException {
        return null;
    }

    /**
     * Replaces the state wholesale with what {@link #write} wrote into a snapshot, before the provider's restore
     * and before replay.
     *
     * @param version the {@link #version()} the section was written with
     * @param in the section's bytes, verified against their checksum
     * @throws IOException or another exception if the bytes cannot be read, e.g. a version this release does not
     *     know; recovery then tries an older snapshot, as when the provider's restore fails
     */
    void restore(int version, InputStream in) throws IOException;

    /**
     * Empties the state, as at a first start: the snapshot being restored has no section of this name (it was
     * written before the contributor existed, or in format version 1), or no snapshot could be restored and the
     * whole journal is replayed after failed restores.
     */
    void reset();
}
