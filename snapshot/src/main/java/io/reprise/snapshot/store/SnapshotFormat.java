package io.reprise.snapshot.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The on-disk format: file names and the header layout described in the {@linkplain io.reprise.snapshot.store
 * package documentation}. Only this class knows the header's byte offsets; {@link SectionFormat} knows those of
 * Reprise's part.
 */
final class SnapshotFormat {

    private static final int FORMAT_VERSION = SnapshotStore.FORMAT_VERSION;

    static final String NAME_PREFIX = "snapshot-";
    static final String NAME_SUFFIX = ".snap";
    static final String TEMP_PREFIX = ".snapshot-";
    static final String TEMP_SUFFIX = ".tmp";
    private static final int POSITION_DIGITS = 16;

    private static final byte[] MAGIC = "REPRSNAP".getBytes(StandardCharsets.US_ASCII);

    /** Magic, version and header size: the part every format version starts with. */
    private static final int PREAMBLE_SIZE = 16;
    /** The header this release writes (version 2); Reprise's part starts right after it, then the payload. */
    static final int HEADER_SIZE = 60;
    /** The version 1 header; the payload starts right after it. */
    private static final int HEADER_SIZE_V1 = 48;
    /** Bounds a damaged header-size field, so that it cannot make a reader allocate a huge buffer. */
    private static final int MAX_HEADER_SIZE = 4096;

    private static final int VERSION_OFFSET = 8;
    private static final int HEADER_SIZE_OFFSET = 12;
    private static final int POSITION_OFFSET = 16;
    private static final int CREATED_OFFSET = 24;
    private static final int LENGTH_OFFSET = 32;
    private static final int PAYLOAD_CRC_OFFSET = 40;
    private static final int SECTION_COUNT_OFFSET = 44; // version 2
    private static final int PART_LENGTH_OFFSET = 48;   // version 2
    static final int CRC_SIZE = 4;

    private SnapshotFormat() {
        throw new UnsupportedOperationException("SnapshotFormat cannot be instantiated");
    }

    /** {@code snapshot-<16 lowercase hex digits>.snap}: names sort as their positions do. */
    static String fileName(long position) {
        if (position < 0) {
            throw new IllegalArgumentException("snapshot position must not be negative, was " + position);
        }
        return NAME_PREFIX + HexFormat.of().toHexDigits(position) + NAME_SUFFIX;
    }

    /**
     * @return the position in a snapshot file name, or -1 if {@code name} is not exactly one this class makes
     *     (temporary files, upper-case digits and foreign files are not snapshots)
     */
    static long positionOf(String name) {
        if (name.length() != NAME_PREFIX.length() + POSITION_DIGITS + NAME_SUFFIX.length()
                || !name.startsWith(NAME_PREFIX) || !name.endsWith(NAME_SUFFIX)) {
            return -1;
        }
        long position = 0;
        for (int i = NAME_PREFIX.length(); i < NAME_PREFIX.length() + POSITION_DIGITS; i++) {
            int digit = Character.digit(name.charAt(i), 16);
            if (digit < 0 || Character.isUpperCase(name.charAt(i))) {
                return -1;
            }
            position = position << 4 | digit;
        }
        return position; // negative when the top bit is set: not a name fileName makes either
    }

    static boolean isTemporary(String name) {
        return name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX);
    }

    /** The header size of a format version this release reads: 48 for version 1, 60 for version 2. */
    static int headerSize(int formatVersion) {
        return formatVersion == 1 ? HEADER_SIZE_V1 : HEADER_SIZE;
    }

    /** The header of the version this release writes, {@link SnapshotStore#FORMAT_VERSION}. */
    static ByteBuffer encode(SnapshotHeader header) {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER_SIZE) // big-endian
                .put(MAGIC)
                .putInt(FORMAT_VERSION)
                .putInt(HEADER_SIZE)
                .putLong(header.position())
                .putLong(header.createdMillis())
                .putLong(header.payloadLength())
                .putInt(header.payloadCrc32c())
                .putInt(header.sectionCount())
                .putLong(header.partLength());
        buffer.putInt(crc32c(buffer.array(), HEADER_SIZE - CRC_SIZE));
        return buffer.flip();
    }

    /**
     * Reads and checks the header at the start of {@code channel}, in an order that names the real problem:
     * magic, header size, header checksum, then the version (trusted only once the checksum holds), then the
     * fields.
     *
     * @param expectedPosition the position in the file name
     */
    static SnapshotHeader readHeader(Path file, FileChannel channel, long expectedPosition) throws IOException {
        long fileSize = channel.size();
        if (fileSize < PREAMBLE_SIZE) {
            throw new CorruptSnapshotException(file, "truncated: the file has " + fileSize
                    + " bytes, fewer than the " + PREAMBLE_SIZE + " bytes every snapshot header starts with");
        }
        ByteBuffer preamble = readFully(file, channel, PREAMBLE_SIZE);
        byte[] magic = Arrays.copyOf(preamble.array(), MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new CorruptSnapshotException(file, "bad magic: expected " + HexFormat.of().formatHex(MAGIC)
                    + " (\"REPRSNAP\") but found " + HexFormat.of().formatHex(magic)
                    + "; this is not a Reprise snapshot or its first bytes are damaged");
        }
        int headerSize = preamble.getInt(HEADER_SIZE_OFFSET);
        if (headerSize < PREAMBLE_SIZE + CRC_SIZE || headerSize > MAX_HEADER_SIZE) {
            throw new CorruptSnapshotException(file, "invalid header size " + headerSize);
        }
        if (fileSize < headerSize) {
            throw new CorruptSnapshotException(file, "truncated: the file has " + fileSize
                    + " bytes, fewer than its " + headerSize + "-byte header");
        }
        ByteBuffer header = readFully(file, channel, headerSize);
        int storedCrc = header.getInt(headerSize - CRC_SIZE);
        int actualCrc = crc32c(header.array(), headerSize - CRC_SIZE);
        if (storedCrc != actualCrc) {
            throw new CorruptSnapshotException(file, "header checksum mismatch: stored " + hex(storedCrc)
                    + ", computed " + hex(actualCrc));
        }
        int version = header.getInt(VERSION_OFFSET);
        if (version > FORMAT_VERSION) {
            throw new UnsupportedSnapshotFormatException(file, version, FORMAT_VERSION);
        }
        if (version < 1) {
            throw new CorruptSnapshotException(file, "invalid format version " + version);
        }
        if (headerSize != headerSize(version)) {
            throw new CorruptSnapshotException(file, "header size " + headerSize + " does not match format version "
                    + version + ", which has a " + headerSize(version) + "-byte header");
        }
        long position = header.getLong(POSITION_OFFSET);
        if (position != expectedPosition) {
            throw new CorruptSnapshotException(file, "position mismatch: the header says " + position
                    + " but the file name says " + expectedPosition + "; the file was renamed or copied");
        }
        long payloadLength = header.getLong(LENGTH_OFFSET);
        if (payloadLength < 0) {
            throw new CorruptSnapshotException(file, "invalid payload length " + payloadLength);
        }
        int sectionCount = 0;
        long partLength = 0;
        if (version >= 2) {
            sectionCount = header.getInt(SECTION_COUNT_OFFSET);
            if (sectionCount < 0 || sectionCount > SectionFormat.MAX_SECTIONS) {
                throw new CorruptSnapshotException(file, "invalid section count " + sectionCount + " at byte "
                        + SECTION_COUNT_OFFSET + ": a snapshot holds at most " + SectionFormat.MAX_SECTIONS + " sections");
            }
            partLength = header.getLong(PART_LENGTH_OFFSET);
            if (partLength < 0) {
                throw new CorruptSnapshotException(file, "invalid length " + partLength + " of Reprise's part at byte "
                        + PART_LENGTH_OFFSET);
            }
        }
        return new SnapshotHeader(version, position, header.getLong(CREATED_OFFSET), payloadLength,
                header.getInt(PAYLOAD_CRC_OFFSET), sectionCount, partLength);
    }

    static String hex(int crc) {
        return "0x" + HexFormat.of().toHexDigits(crc);
    }

    private static ByteBuffer readFully(Path file, FileChannel channel, int size) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(size);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, buffer.position()) < 0) {
                throw new CorruptSnapshotException(file, "truncated: the file ends after " + buffer.position()
                        + " bytes, inside its " + size + "-byte header");
            }
        }
        return buffer;
    }

    static int crc32c(byte[] bytes, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }
}
