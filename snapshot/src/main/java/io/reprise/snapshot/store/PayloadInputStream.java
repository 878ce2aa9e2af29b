package io.reprise.snapshot.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The payload of a verified snapshot, buffered, ending where the payload ends. It checksums the bytes again as
 * it reads them and checks the sum when it reads the last chunk, before handing that chunk out: restore sees
 * either the verified bytes or an exception, never silently different ones.
 */
final class PayloadInputStream extends InputStream {

    private final SnapshotFile file;
    private final SnapshotHeader header;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(SnapshotFile.READ_BUFFER_SIZE);
    private final CRC32C crc = new CRC32C();
    private long unread;

    /** @param channel positioned at the start of the payload; closed by {@link #close()} */
    PayloadInputStream(SnapshotFile file, SnapshotHeader header, FileChannel channel) {
        this.file = file;
        this.header = header;
        this.channel = channel;
        this.unread = header.payloadLength();
        buffer.limit(0);
    }

    @Override
    public int read() throws IOException {
        if (!buffer.hasRemaining() && !fill()) {
            return -1;
        }
        return buffer.get() & 0xff;
    }

    @Override
    public int read(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length == 0) {
            return 0;
        }
        if (!buffer.hasRemaining() && !fill()) {
            return -1;
        }
        int count = Math.min(length, buffer.remaining());
        buffer.get(bytes, offset, count);
        return count;
    }

    @Override
    public int available() {
        return buffer.remaining();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** @return false at the end of the payload */
    private boolean fill() throws IOException {
        if (unread == 0) {
            return false;
        }
        buffer.clear().limit((int) Math.min(buffer.capacity(), unread));
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw file.truncated(header, header.payloadLength() - unread + buffer.position());
            }
        }
        buffer.flip();
        crc.update(buffer.duplicate());
        unread -= buffer.remaining();
        if (unread == 0) {
            file.checkPayloadCrc(header, (int) crc.getValue());
        }
        return true;
    }
}
