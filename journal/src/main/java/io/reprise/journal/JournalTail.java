package io.reprise.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.ExcerptContext;
import net.openhft.chronicle.wire.Wire;

import java.io.File;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Looks at the bytes where a reader found the journal's end, to tell a clean end from an append that a
 * crash cut short.
 *
 * <p>What a cut append leaves: Chronicle writes an entry's bytes after a header that stays zero (or,
 * in older versions, marked not-complete) until the append finishes, and only then stores the length.
 * A process killed in between leaves that header plus the first bytes of the entry. Chronicle reads a
 * zero header as "nothing here yet", which is also what a clean end looks like, so the reader ends
 * there either way. The difference is in the bytes after the header: a clean end has zeros, a cut
 * append the start of a Reprise entry (format version, kind, a time stamp).
 *
 * <p>Why the whole prefix is checked and not just "any non-zero byte": after a crash, the next append
 * overwrites the remnant from its start, and when it is shorter, the remnant's later bytes stay in the
 * file after the new end. Those are the middle of an old entry, not the start of one, so they are not
 * mistaken for a new cut append.
 */
final class JournalTail {

    /** Chronicle's header bits: a document still being written; and metadata (with both: end of file). */
    private static final int NOT_COMPLETE = 0x8000_0000;
    private static final int META_DATA = 0x4000_0000;
    private static final int HEADER_BYTES = 4;
    /** Format version, kind and time stamp (an outcome: its request's position): the start of every record. */
    private static final int ENTRY_PREFIX_BYTES = 10;
    /** 2000-01-01T00:00:00Z: no Reprise journal is older. */
    private static final long EARLIEST_PLAUSIBLE_MILLIS = 946_684_800_000L;

    private JournalTail() {
        throw new AssertionError("not instantiable");
    }

    /**
     * The cut append at the reader's current place, or null if the journal ends cleanly there.
     *
     * @param tailer   a tailer whose last read found no document
     * @param position the position the next entry would have
     */
    static IncompleteEntry incompleteEntryAt(ExcerptTailer tailer, long position) {
        if (!(tailer instanceof ExcerptContext context)) {
            return null;
        }
        Wire wire = context.wire();
        File file = tailer.currentFile();
        if (wire == null || file == null) {
            return null; // no cycle file under the reader: nothing can have been cut
        }
        Bytes<?> bytes = wire.bytes();
        long header = bytes.readPosition();
        if (header < 0 || header + HEADER_BYTES + ENTRY_PREFIX_BYTES > file.length()) {
            return null;
        }
        int value = bytes.readVolatileInt(header);
        if (value != 0 && (value & (NOT_COMPLETE | META_DATA)) != NOT_COMPLETE) {
            return null; // a complete document, metadata, or the end-of-file marker: not a cut append
        }
        long start = header + HEADER_BYTES;
        int version = bytes.readUnsignedByte(start);
        int kind = bytes.readUnsignedByte(start + 1);
        long field = 0;
        for (int i = 0; i < 8; i++) {
            field = field << 8 | bytes.readUnsignedByte(start + 2 + i);
        }
        if (version == EntryCodec.FORMAT_VERSION
                && (kind == EntryCodec.KIND_OUTCOME || kind == EntryCodec.KIND_OUTCOME_WITH_RESPONSE)) {
            // An outcome is appended right after its request: the record before it, or in the previous
            // day's file when it opens a day.
            boolean outcomeStart = QueueFormat.sequenceOf(position) == 0
                    ? field >= 0 && field < position
                    : field == position - 1;
            return outcomeStart
                    ? new IncompleteEntry(position, Path.of(file.getPath()).toAbsolutePath(), header, file.lastModified())
                    : null;
        }
        boolean entryStart = version >= EntryCodec.FORMAT_VERSION && kind != 0
                && field >= EARLIEST_PLAUSIBLE_MILLIS
                && field <= System.currentTimeMillis() + TimeUnit.DAYS.toMillis(366);
        return entryStart ? new IncompleteEntry(position, Path.of(file.getPath()).toAbsolutePath(), header, field) : null;
    }
}
