package io.reprise.journal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Test helpers that look at and damage a journal's files directly, below Chronicle. */
final class JournalFilesOnDisk {

    private JournalFilesOnDisk() {
    }

    /** SHA-256 of every file in {@code dir}, by name. */
    static Map<String, String> digests(Path dir) throws IOException {
        Map<String, String> digests = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                digests.put(file.getFileName().toString(), digest(file));
            }
        }
        return digests;
    }

    static String digest(Path file) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(file));
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The byte offsets of the data documents (entries) in a Chronicle cycle file, in order: each
     * document is a 4-byte little-endian header (30 bits of length, a metadata bit, a not-complete bit)
     * and its bytes, padded to 4 bytes; metadata documents (the file header, index arrays) are skipped.
     */
    static List<Long> entryOffsets(Path file) throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer header = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            long at = 0;
            while (at + 4 <= channel.size()) {
                header.clear();
                channel.read(header, at);
                int value = header.getInt(0);
                if (value == 0 || (value & 0x8000_0000) != 0) {
                    break; // end of data, or end-of-file marker / unfinished document
                }
                if ((value & 0x4000_0000) == 0) {
                    offsets.add(at);
                }
                at = (at + 4 + (value & 0x3FFF_FFFF) + 3) & ~3L;
            }
        }
        return offsets;
    }

    /** Overwrites the 4-byte document header at {@code offset} with zeros. */
    static void zeroHeader(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            raf.write(new byte[4]);
        }
    }

    /** Flips the lowest bit of the byte at {@code offset}. */
    static void flipByte(Path file, long offset) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(offset);
            int b = raf.read();
            raf.seek(offset);
            raf.write(b ^ 0x01);
        }
    }

    /** The cycle files of a journal directory, oldest first. */
    static List<Path> cycleFiles(Path dir) throws IOException {
        return new ArrayList<>(QueueFormat.cycleFiles(dir).values());
    }
}
