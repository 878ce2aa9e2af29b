package io.reprise.snapshot.store;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * The layout of Reprise's part, the sections between the header and the payload, described in the {@linkplain
 * io.reprise.snapshot.store package documentation}. Only this class knows a section frame's byte offsets.
 *
 * <p>Every length is checked against the bytes the header says the part holds before anything of that length is
 * read or allocated, so a damaged frame cannot make a reader allocate more than the file holds.
 */
final class SectionFormat {

    /** Bounds the section count in the header; far more than Reprise needs (sessions, Idempotency-Key table). */
    static final int MAX_SECTIONS = 64;
    static final int MAX_NAME_LENGTH = 32;
    /** A section is read into one array; 1 GiB keeps that well inside what an array and a heap can hold. */
    static final long MAX_SECTION_LENGTH = 1L << 30;
    static final int MAX_VERSION = 255;

    /** Name length, version, data length, data CRC32C, frame CRC32C: the frame without the name. */
    private static final int FIXED_FRAME_SIZE = 1 + 1 + 8 + 4 + SnapshotFormat.CRC_SIZE;

    private SectionFormat() {
        throw new UnsupportedOperationException("SectionFormat cannot be instantiated");
    }

    /** @throws IllegalArgumentException unless {@code name} is 1 to 32 characters {@code a-z 0-9 . _ -} */
    static void checkName(String name) {
        if (!isValidName(name)) {
            throw new IllegalArgumentException("A snapshot section name is 1 to " + MAX_NAME_LENGTH
                    + " characters a-z 0-9 . _ -, not \"" + name + "\"");
        }
    }

    static int frameSize(String name) {
        return FIXED_FRAME_SIZE + name.length();
    }

    /** The frame that precedes a section's data, once its length and checksum are known. */
    static ByteBuffer encodeFrame(String name, int version, long length, int dataCrc32c) {
        byte[] nameBytes = name.getBytes(US_ASCII);
        ByteBuffer frame = ByteBuffer.allocate(frameSize(name)) // big-endian
                .put((byte) nameBytes.length)
                .put(nameBytes)
                .put((byte) version)
                .putLong(length)
                .putInt(dataCrc32c);
        frame.putInt(SnapshotFormat.crc32c(frame.array(), frame.position()));
        return frame.flip();
    }

    /** Reads every section into memory, checking each frame and each section's checksum. */
    static ReprisePart read(Path file, FileChannel channel, SnapshotHeader header) throws IOException {
        if (header.sectionCount() == 0 && header.partLength() == 0) {
            return ReprisePart.EMPTY;
        }
        List<ReprisePart.Section> sections = new ArrayList<>(header.sectionCount());
        walk(file, channel, header, sections);
        return new ReprisePart(sections);
    }

    /** Checks every section as {@link #read} does, streaming the data through a fixed buffer instead of keeping it. */
    static void verify(Path file, FileChannel channel, SnapshotHeader header) throws IOException {
        walk(file, channel, header, null);
    }

    /** @param into where to put the sections read, or null to only check them */
    private static void walk(Path file, FileChannel channel, SnapshotHeader header, List<ReprisePart.Section> into)
            throws IOException {
        int count = header.sectionCount();
        long offset = header.partOffset();
        long end = header.payloadOffset();
        Set<String> names = new HashSet<>();
        ByteBuffer buffer = null;
        for (int i = 1; i <= count; i++) {
            String where = "section " + i + " of " + count + " at byte " + offset;
            if (end - offset < FIXED_FRAME_SIZE + 1) {
                throw new CorruptSnapshotException(file, where + ": Reprise's part ends at byte " + end
                        + ", before the section's frame does");
            }
            int nameLength = read(file, channel, offset, 1).get(0) & 0xff;
            if (nameLength < 1 || nameLength > MAX_NAME_LENGTH || end - offset < FIXED_FRAME_SIZE + nameLength) {
                throw new CorruptSnapshotException(file, where + ": invalid name length " + nameLength
                        + " (1 to " + MAX_NAME_LENGTH + ", and the frame must end by byte " + end + ")");
            }
            int frameSize = FIXED_FRAME_SIZE + nameLength;
            ByteBuffer frame = read(file, channel, offset, frameSize);
            int storedCrc = frame.getInt(frameSize - SnapshotFormat.CRC_SIZE);
            int actualCrc = SnapshotFormat.crc32c(frame.array(), frameSize - SnapshotFormat.CRC_SIZE);
            if (storedCrc != actualCrc) {
                throw new CorruptSnapshotException(file, where + ": frame checksum mismatch: stored "
                        + SnapshotFormat.hex(storedCrc) + ", computed " + SnapshotFormat.hex(actualCrc)
                        + " over its " + frameSize + " bytes (name, version, length, checksum)");
            }
            String name = new String(frame.array(), 1, nameLength, US_ASCII);
            if (!isValidName(name)) {
                throw new CorruptSnapshotException(file, where + ": invalid name \"" + name + "\"");
            }
            where = "section " + i + " of " + count + " (\"" + name + "\") at byte " + offset;
            int version = frame.get(1 + nameLength) & 0xff;
            long length = frame.getLong(2 + nameLength);
            int dataCrc = frame.getInt(10 + nameLength);
            long dataOffset = offset + frameSize;
            if (length < 0 || length > MAX_SECTION_LENGTH || length > end - dataOffset) {
                throw new CorruptSnapshotException(file, where + ": invalid length " + length + ": Reprise's part holds "
                        + (end - dataOffset) + " bytes after this frame, and a section at most " + MAX_SECTION_LENGTH);
            }
            if (!names.add(name)) {
                throw new CorruptSnapshotException(file, where + ": a second section of that name");
            }
            int crc;
            byte[] bytes = null;
            if (into != null) {
                bytes = read(file, channel, dataOffset, (int) length).array();
                CRC32C sum = new CRC32C();
                sum.update(bytes);
                crc = (int) sum.getValue();
            } else {
                if (buffer == null) {
                    buffer = ByteBuffer.allocateDirect(SnapshotFile.READ_BUFFER_SIZE);
                }
                crc = checksum(file, channel, dataOffset, length, buffer);
            }
            if (crc != dataCrc) {
                throw new CorruptSnapshotException(file, where + ": data checksum mismatch: the frame says "
                        + SnapshotFormat.hex(dataCrc) + ", the " + length + " bytes from byte " + dataOffset + " give "
                        + SnapshotFormat.hex(crc));
            }
            if (into != null) {
                into.add(new ReprisePart.Section(name, version, bytes));
            }
            offset = dataOffset + length;
        }
        if (offset != end) {
            throw new CorruptSnapshotException(file, "the " + count + " section(s) of Reprise's part end at byte " + offset
                    + ", but the header says the part runs to byte " + end);
        }
    }

    private static boolean isValidName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Reads {@code size} bytes at {@code offset}; the caller has checked that the file holds them. */
    private static ByteBuffer read(Path file, FileChannel channel, long offset, int size) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(size);
        while (bytes.hasRemaining()) {
            if (channel.read(bytes, offset + bytes.position()) < 0) {
                throw new CorruptSnapshotException(file, "truncated: the file ends at byte " + (offset + bytes.position())
                        + ", inside Reprise's part");
            }
        }
        return bytes.flip();
    }

    private static int checksum(Path file, FileChannel channel, long offset, long length, ByteBuffer buffer)
            throws IOException {
        CRC32C crc = new CRC32C();
        long end = offset + length;
        while (offset < end) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), end - offset));
            int read = channel.read(buffer, offset);
            if (read < 0) {
                throw new CorruptSnapshotException(file, "truncated: the file ends at byte " + offset
                        + ", inside Reprise's part");
            }
            offset += read;
            crc.update(buffer.flip());
        }
        return (int) crc.getValue();
    }
}
