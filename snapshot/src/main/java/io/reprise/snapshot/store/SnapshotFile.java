package io.reprise.snapshot.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * One snapshot file in the store, known by its name; nothing has been read from it until {@link #verify()}.
 * Internal to Reprise.
 */
public final class SnapshotFile {

    /** Large enough that checksumming runs at disk speed, small enough to allocate per call. */
    static final int READ_BUFFER_SIZE = 64 * 1024;

    private final Path path;
    private final long position;

    /** @param position the position in the file's name */
    SnapshotFile(Path path, long position) {
        this.path = path;
        this.position = position;
    }

    /**
     * @return the file
     */
    public Path path() {
        return path;
    }

    /**
     * @return the journal position the snapshot covers, as its file name says
     */
    public long position() {
        return position;
    }

    /**
     * Reads and verifies the header, Reprise's part and the whole payload, streaming them through a fixed buffer.
     *
     * @return the verified header
     * @throws CorruptSnapshotException if the file is damaged: bad magic, header checksum, truncated, a section's
     *     frame or checksum, payload checksum, length or position mismatch; the message names the file, the
     *     problem and, for a section, its byte offset
     * @throws UnsupportedSnapshotFormatException if the file has a newer format version than
     *     {@link SnapshotStore#FORMAT_VERSION}
     * @throws IOException if the file cannot be read
     */
    public SnapshotHeader verify() throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            SnapshotHeader header = readHeaderAndCheckLength(channel);
            SectionFormat.verify(path, channel, header);
            ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BUFFER_SIZE);
            CRC32C crc = new CRC32C();
            long offset = header.payloadOffset();
            long end = offset + header.payloadLength();
            while (offset < end) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), end - offset));
                int read = channel.read(buffer, offset);
                if (read < 0) {
                    throw truncated(header, offset - header.payloadOffset());
                }
                offset += read;
                crc.update(buffer.flip());
            }
            checkPayloadCrc(header, (int) crc.getValue());
            return header;
        }
    }

    /**
     * Reads Reprise's part into memory, checking the header and every section's frame and checksum on the way; the
     * payload is not read. Recovery calls it after {@link #verify()}, and hands the sections out before the payload.
     *
     * @return the sections; none for a version 1 file
     * @throws CorruptSnapshotException if the header or a section is damaged, naming the file and the byte offset
     * @throws UnsupportedSnapshotFormatException if the file has a newer format version
     * @throws IOException if the file cannot be read
     */
    public ReprisePart readPart() throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return SectionFormat.read(path, channel, readHeaderAndCheckLength(channel));
        }
    }

    /**
     * Verifies the file, then opens a buffered stream over its payload only. The stream checksums the payload
     * a second time as it is read and throws {@link CorruptSnapshotException} instead of delivering the last
     * bytes if they no longer match, so a read error between verification and restore is not missed.
     *
     * @return the payload; the caller closes it
     * @throws CorruptSnapshotException if the file is damaged, see {@link #verify()}
     * @throws UnsupportedSnapshotFormatException if the file has a newer format version
     * @throws IOException if the file cannot be read
     */
    public InputStream openVerified() throws IOException {
        SnapshotHeader header = verify();
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            channel.position(header.payloadOffset());
            return new PayloadInputStream(this, header, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads the header and checks that the file holds exactly header, Reprise's part and payload. */
    private SnapshotHeader readHeaderAndCheckLength(FileChannel channel) throws IOException {
        SnapshotHeader header = SnapshotFormat.readHeader(path, channel, position);
        long size = channel.size();
        if (size < header.payloadOffset()) {
            throw new CorruptSnapshotException(path, "truncated: the header says Reprise's part runs from byte "
                    + header.partOffset() + " to byte " + header.payloadOffset() + ", but the file has only " + size
                    + " bytes");
        }
        long stored = size - header.payloadOffset();
        if (stored < header.payloadLength()) {
            throw truncated(header, stored);
        }
        if (stored > header.payloadLength()) {
            throw new CorruptSnapshotException(path, "length mismatch: the header says the payload is "
                    + header.payloadLength() + " bytes, but the file holds " + stored + " bytes after byte "
                    + header.payloadOffset() + ", where the payload starts");
        }
        return header;
    }

    CorruptSnapshotException truncated(SnapshotHeader header, long stored) {
        return new CorruptSnapshotException(path, "truncated: the header says the payload is "
                + header.payloadLength() + " bytes, but the file holds only " + stored);
    }

    void checkPayloadCrc(SnapshotHeader header, int actual) throws CorruptSnapshotException {
        if (actual != header.payloadCrc32c()) {
            throw new CorruptSnapshotException(path, "payload checksum mismatch: the header says "
                    + SnapshotFormat.hex(header.payloadCrc32c()) + ", the " + header.payloadLength()
                    + " payload bytes give " + SnapshotFormat.hex(actual));
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SnapshotFile that && path.equals(that.path) && position == that.position;
    }

    @Override
    public int hashCode() {
        return path.hashCode();
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
