package io.reprise.snapshot.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * A snapshot being written: the provider writes into {@link #stream()}, then {@link #commit(long)} makes it a
 * snapshot file, or {@link #close()} throws it away. Internal to Reprise.
 *
 * <p>Use it with try-with-resources, so that a failed provider leaves no temporary file behind:
 * <pre>{@code
 * try (PendingSnapshot pending = store.begin()) {
 *     long position;
 *     synchronized (order) {                     // no journaled request runs
 *         provider.save(pending.stream());
 *         position = journal.position();
 *     }
 *     pending.commit(position);                  // checksum, fsync, rename: writers run again meanwhile
 * }
 * }</pre>
 *
 * <p>Until the commit the bytes sit in a temporary file that no reader looks at; a crash at any point leaves
 * either that temporary file or the complete snapshot under its final name, never a partial snapshot there.
 */
public final class PendingSnapshot implements AutoCloseable {

    private enum State { OPEN, COMMITTED, ABORTED }

    private final SnapshotStore store;
    private final Path temporaryFile;
    private final FileChannel channel;
    private final PayloadOutputStream stream;
    private final long createdMillis;
    private State state = State.OPEN;

    /** @param channel open for writing, positioned after the space reserved for the header */
    PendingSnapshot(SnapshotStore store, Path temporaryFile, FileChannel channel, long createdMillis) {
        this.store = store;
        this.temporaryFile = temporaryFile;
        this.channel = channel;
        this.stream = new PayloadOutputStream(temporaryFile, channel);
        this.createdMillis = createdMillis;
    }

    /**
     * The stream the provider writes the state into. Buffered; the checksum is computed as the bytes pass.
     * Closing it only flushes it and refuses further writes; it does not finish the snapshot.
     *
     * @return the payload stream, the same one on every call
     */
    public OutputStream stream() {
        return stream;
    }

    /**
     * Finishes the snapshot: writes the header (format version, covered journal position, created time,
     * payload length, payload CRC32C, header CRC32C) into the space reserved at the start of the file, fsyncs
     * the file, renames it atomically to its final name and fsyncs the directory.
     *
     * <p>A snapshot already at the same position is replaced; both hold the same state.
     *
     * <p>If this method throws before the rename, the snapshot is aborted and its temporary file deleted. If
     * only the final directory fsync fails, the file is in place under its final name, but the rename may not
     * survive a machine crash.
     *
     * @param position the journal position the snapshot covers, as the agent defines it; not negative
     * @return the snapshot file
     * @throws IllegalArgumentException if {@code position} is negative
     * @throws IllegalStateException if already committed or closed
     * @throws IOException if writing, syncing or renaming fails, also if a write of the provider failed earlier
     */
    public synchronized SnapshotFile commit(long position) throws IOException {
        String finalName = SnapshotFormat.fileName(position); // checks the position first
        if (state != State.OPEN) {
            throw new IllegalStateException("Snapshot " + temporaryFile + " is already "
                    + state.name().toLowerCase(Locale.ROOT));
        }
        Path target = store.directory().resolve(finalName);
        try {
            long length = stream.finish();
            SnapshotHeader header = new SnapshotHeader(SnapshotStore.FORMAT_VERSION, position, createdMillis,
                    length, stream.crc32c());
            ByteBuffer encoded = SnapshotFormat.encode(header);
            while (encoded.hasRemaining()) {
                channel.write(encoded, encoded.position());
            }
            channel.force(true);
            channel.close();
            Files.move(temporaryFile, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | Error e) {
            abort(e);
            throw e;
        }
        state = State.COMMITTED;
        store.forget(temporaryFile);
        SnapshotStore.fsyncDirectory(store.directory());
        return new SnapshotFile(target, position);
    }

    /** Aborts the snapshot if it was not committed: closes and deletes the temporary file. Idempotent. */
    @Override
    public synchronized void close() {
        if (state == State.OPEN) {
            abort(null);
        }
    }

    /** The temporary file, while the snapshot is open. */
    Path temporaryFile() {
        return temporaryFile;
    }

    private void abort(Throwable reason) {
        state = State.ABORTED;
        try {
            channel.close();
        } catch (IOException e) {
            addSuppressed(reason, e);
        }
        try {
            Files.deleteIfExists(temporaryFile);
        } catch (IOException e) {
            // Left for SnapshotStore.retain, which deletes temporary files that are no longer pending.
            addSuppressed(reason, e);
        }
        store.forget(temporaryFile);
    }

    private static void addSuppressed(Throwable reason, Exception e) {
        if (reason != null) {
            reason.addSuppressed(e);
        }
    }
}
