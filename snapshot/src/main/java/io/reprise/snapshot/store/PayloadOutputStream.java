package io.reprise.snapshot.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The stream a provider writes its state into, and a section its bytes: buffers, counts and checksums the bytes
 * on their way to the temporary file, so a payload or section of any size passes through a fixed 64 KiB buffer.
 *
 * <p>Used by one thread at a time, like any {@code OutputStream}. {@link #close()} only flushes and stops
 * further writes: the channel belongs to {@link PendingSnapshot}, which still has to write the header.
 */
final class PayloadOutputStream extends OutputStream {

    private static final int BUFFER_SIZE = 64 * 1024;

    private final Path file;
    /** What is written, for messages: {@code "payload"}, {@code "section \"sessions\""}. */
    private final String what;
    private final FileChannel channel;
    /** Direct, so the channel writes it without copying it into a temporary direct buffer first. */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private final CRC32C crc = new CRC32C();
    private long length;
    private boolean closed;
    private IOException failure;

    /** @param channel positioned where the bytes go; they are written at its position, which they advance */
    PayloadOutputStream(Path file, String what, FileChannel channel) {
        this.file = file;
        this.what = what;
        this.channel = channel;
    }

    @Override
    public void write(int b) throws IOException {
        ensureOpen();
        if (!buffer.hasRemaining()) {
            drain();
        }
        buffer.put((byte) b);
    }

    @Override
    public void write(byte[] bytes, int offset, int count) throws IOException {
        Objects.checkFromIndexSize(offset, count, bytes.length);
        ensureOpen();
        while (count > 0) {
            if (!buffer.hasRemaining()) {
                drain();
            }
            int chunk = Math.min(count, buffer.remaining());
            buffer.put(bytes, offset, chunk);
            offset += chunk;
            count -= chunk;
        }
    }

    /** Writes the buffered bytes to the file; the durable flush (fsync) is the pending snapshot's job. */
    @Override
    public void flush() throws IOException {
        if (!closed) {
            drain();
        }
    }

    /** Flushes and refuses further writes; does not finish the snapshot nor close the file. */
    @Override
    public void close() throws IOException {
        if (!closed) {
            try {
                drain();
            } finally {
                closed = true;
            }
        }
    }

    /**
     * Flushes and closes for good, for the commit.
     *
     * @return the payload length
     * @throws IOException if any write to the file failed, even one the provider caught and ignored
     */
    long finish() throws IOException {
        if (failure == null) {
            try {
                drain();
            } catch (IOException e) {
                // recorded in failure
            }
        }
        closed = true;
        if (failure != null) {
            throw new IOException("Cannot commit snapshot " + file + ": writing its " + what + " failed", failure);
        }
        return length;
    }

    /** @return whether any byte was written, buffered or not */
    boolean started() {
        return length > 0 || buffer.position() > 0 || failure != null;
    }

    /** @return the CRC32C of every byte written so far; complete after {@link #finish()} */
    int crc32c() {
        return (int) crc.getValue();
    }

    private void drain() throws IOException {
        if (failure != null) {
            throw new IOException("An earlier write to snapshot " + file + " failed", failure);
        }
        buffer.flip();
        crc.update(buffer.duplicate());
        try {
            while (buffer.hasRemaining()) {
                length += channel.write(buffer);
            }
        } catch (IOException e) {
            failure = e;
            throw e;
        } finally {
            buffer.clear();
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("The " + what + " stream of snapshot " + file + " is closed");
        }
    }
}
