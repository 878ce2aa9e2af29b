package io.reprise.snapshot.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * A snapshot being written: Reprise writes its own sections with {@link #writeSection}, the provider writes into
 * {@link #stream()}, then {@link #commit(long)} makes it a snapshot file, or {@link #close()} throws it away.
 * Internal to Reprise.
 *
 * <p>Use it with try-with-resources, so that a failed provider leaves no temporary file behind:
 * <pre>{@code
 * try (PendingSnapshot pending = store.begin()) {
 *     long position;
 *     synchronized (order) {                     // no journaled request runs
 *         pending.writeSection("sessions", 1, sessions::write); // sections first, as they lie in the file
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
    private final Set<String> sectionNames = new HashSet<>();
    private long partLength;

    /** Writes one section's bytes, see {@link #writeSection}. */
    @FunctionalInterface
    public interface SectionWriter {
        /**
         * @param out where the section's bytes go; closing it is harmless, writing to it after returning fails
         * @throws IOException if the bytes cannot be written, which aborts the snapshot
         */
        void writeTo(OutputStream out) throws IOException;
    }

    /** @param channel open for writing, positioned after the space reserved for the header */
    PendingSnapshot(SnapshotStore store, Path temporaryFile, FileChannel channel, long createdMillis) {
        this.store = store;
        this.temporaryFile = temporaryFile;
        this.channel = channel;
        this.stream = new PayloadOutputStream(temporaryFile, "payload", channel);
        this.createdMillis = createdMillis;
    }

    /**
     * Adds a section to Reprise's part of the snapshot: state the agent keeps itself, beside the provider's payload.
     * Sections lie between the header and the payload, so every section is written before the first payload byte.
     *
     * <p>The section is streamed, not handed over as an array: {@code writer} writes into the file through the
     * same fixed 64 KiB buffer as the payload, so a large section (a container's sessions) is never held a second
     * time, as one array beside the structure it is written from. A frame is reserved before the bytes and filled
     * in with their length and CRC32C once they are written, as the header is at the commit.
     *
     * <p>If {@code writer} or the write throws, the snapshot is aborted and its temporary file deleted; the
     * exception is rethrown, and {@link #commit(long)} then throws {@link IllegalStateException}.
     *
     * @param name    1 to 32 characters {@code a-z 0-9 . _ -}, not used by an earlier section of this snapshot
     * @param version the version of the section's encoding, 0 to 255, handed to its reader
     * @param writer  writes the section's bytes, at most 1 GiB
     * @throws IllegalArgumentException if the name or version is invalid, or the name is taken
     * @throws IllegalStateException if the payload has begun, 64 sections are already written, or the snapshot
     *     is committed or closed
     * @throws IOException if {@code writer} or the write fails, or the section is larger than 1 GiB
     */
    public synchronized void writeSection(String name, int version, SectionWriter writer) throws IOException {
        SectionFormat.checkName(name);
        if (version < 0 || version > SectionFormat.MAX_VERSION) {
            throw new IllegalArgumentException("A snapshot section version is 0 to " + SectionFormat.MAX_VERSION
                    + ", not " + version + " (section \"" + name + "\")");
        }
        Objects.requireNonNull(writer, "writer");
        if (state != State.OPEN) {
            throw new IllegalStateException("Snapshot " + temporaryFile + " is already "
                    + state.name().toLowerCase(Locale.ROOT));
        }
        if (stream.started()) {
            throw new IllegalStateException("Section \"" + name + "\" of snapshot " + temporaryFile
                    + " comes too late: sections lie before the payload, and the payload has begun");
        }
        if (sectionNames.contains(name)) {
            throw new IllegalArgumentException("Snapshot " + temporaryFile + " already has a section \"" + name + "\"");
        }
        if (sectionNames.size() == SectionFormat.MAX_SECTIONS) {
            throw new IllegalStateException("Snapshot " + temporaryFile + " already has " + SectionFormat.MAX_SECTIONS
                    + " sections, as many as a snapshot may hold; \"" + name + "\" is one too many");
        }
        try {
            long frameOffset = channel.position();
            channel.position(frameOffset + SectionFormat.frameSize(name));
            PayloadOutputStream out = new PayloadOutputStream(temporaryFile, "section \"" + name + "\"", channel);
            writer.writeTo(out);
            long length = out.finish();
            if (length > SectionFormat.MAX_SECTION_LENGTH) {
                throw new IOException("Cannot commit snapshot " + temporaryFile + ": section \"" + name + "\" is "
                        + length + " bytes, more than the " + SectionFormat.MAX_SECTION_LENGTH + " a section may hold");
            }
            ByteBuffer frame = SectionFormat.encodeFrame(name, version, length, out.crc32c());
            while (frame.hasRemaining()) {
                channel.write(frame, frameOffset + frame.position());
            }
            partLength += frame.limit() + length;
        } catch (IOException | RuntimeException | Error e) {
            abort(e);
            throw e;
        }
        sectionNames.add(name);
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
     * payload length, payload CRC32C, section count, length of Reprise's part, header CRC32C) into the space
     * reserved at the start of the file, fsyncs
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
                    length, stream.crc32c(), sectionNames.size(), partLength);
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
