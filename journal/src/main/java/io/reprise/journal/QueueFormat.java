package io.reprise.journal;

import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * How the journal lays out its Chronicle Queue: one roll cycle for every process that opens it (the
 * journal, the repair, the read-only view of the operator tool), and the names of its cycle files.
 *
 * <p>Everything that opens a journal's queue goes through {@link #builder}, so a file written by one
 * is read by the others with the same roll cycle.
 */
final class QueueFormat {

    /**
     * One file per day (UTC): few files and mappings, and retention can drop whole days. Chronicle's
     * current daily cycle: room for 2^32-1 entries a day (49,700 a second sustained all day), an index
     * entry every 256th, so a seek scans at most 255. A position is {@code cycle << 32 | sequence}, the
     * cycle being the day since 1970-01-01.
     */
    static final RollCycles ROLL_CYCLE = RollCycles.FAST_DAILY;

    /** Chronicle's block size for the journal's files; an entry may take a quarter of it. */
    static final long BLOCK_SIZE = 128L << 20;

    /** The suffix of a cycle file; {@code metadata.cq4t} does not have it. */
    static final String CYCLE_FILE_SUFFIX = ".cq4";

    private static final DateTimeFormatter FILE_DATE =
            DateTimeFormatter.ofPattern(ROLL_CYCLE.format()).withZone(ZoneOffset.UTC);

    static {
        if (ROLL_CYCLE.lengthInMillis() != 86_400_000 || ROLL_CYCLE.defaultEpoch() != 0) {
            throw new ExceptionInInitializerError("cycle file names are mapped to days; the roll cycle must be daily");
        }
    }

    private QueueFormat() {
        throw new AssertionError("not instantiable");
    }

    /** A builder for the journal's queue in {@code dir}; {@code time} null means the real clock. */
    static SingleChronicleQueueBuilder builder(Path dir, TimeProvider time, boolean readOnly) {
        SingleChronicleQueueBuilder builder = SingleChronicleQueueBuilder.binary(dir)
                .rollCycle(ROLL_CYCLE)
                // Chronicle takes at most a quarter of a block per entry: 128 MiB blocks hold a request of
                // reprise.journal.max-body (at most 16 MiB) with room for its headers.
                .blockSize(BLOCK_SIZE)
                .readOnly(readOnly);
        if (time != null) {
            builder.timeProvider(time);
        }
        return builder;
    }

    /** The cycle (day) of a position. */
    static int cycleOf(long position) {
        return ROLL_CYCLE.toCycle(position);
    }

    /** The sequence number of a position within its cycle. */
    static long sequenceOf(long position) {
        return ROLL_CYCLE.toSequenceNumber(position);
    }

    /** The position of the {@code sequence}-th entry of {@code cycle}. */
    static long position(int cycle, long sequence) {
        return ROLL_CYCLE.toIndex(cycle, sequence);
    }

    /** The first millisecond of a cycle. */
    static long cycleStartMillis(int cycle) {
        return (long) cycle * ROLL_CYCLE.lengthInMillis();
    }

    /** The file name of a cycle, e.g. {@code 20261123F.cq4}. */
    static String fileName(int cycle) {
        return FILE_DATE.format(LocalDate.ofEpochDay(cycle).atStartOfDay(ZoneOffset.UTC)) + CYCLE_FILE_SUFFIX;
    }

    /** The cycle a file name stands for, or -1 if it is not the name of a cycle file. */
    static int cycleOf(String fileName) {
        if (!fileName.endsWith(CYCLE_FILE_SUFFIX)) {
            return -1;
        }
        String base = fileName.substring(0, fileName.length() - CYCLE_FILE_SUFFIX.length());
        try {
            long day = LocalDate.parse(base, FILE_DATE).toEpochDay();
            return day < 0 || day > Integer.MAX_VALUE || !fileName((int) day).equals(fileName) ? -1 : (int) day;
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    /** The cycle files in a journal directory, by cycle; empty if the directory does not exist. */
    static NavigableMap<Integer, Path> cycleFiles(Path dir) throws IOException {
        NavigableMap<Integer, Path> files = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return files;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + CYCLE_FILE_SUFFIX)) {
            for (Path entry : entries) {
                int cycle = cycleOf(entry.getFileName().toString());
                if (cycle >= 0 && Files.isRegularFile(entry)) {
                    files.put(cycle, entry);
                }
            }
        }
        return files;
    }

    /** The cycle files of cycles strictly below {@code cycle}, oldest first. */
    static Map<Integer, Path> cycleFilesBefore(Path dir, int cycle) throws IOException {
        return cycleFiles(dir).headMap(cycle, false);
    }
}
