package io.reprise.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads journal entries in order, from a starting point chosen by {@link Journal#readAfter}.
 *
 * <p>Not thread-safe, like an {@code Iterator}: one thread at a time, though it may be handed from
 * one thread to another.
 *
 * <p>What it does at the end of the journal (brief, C6): an entry that a crashed writer left
 * incomplete is never returned. When {@link #next} finds one where the journal ends, it logs a
 * warning naming its position and file, and {@link #incompleteEntry()} reports it; the next append
 * overwrites it. An end that comes before entries Chronicle's own index knows of (a damaged header in
 * the middle) is not an end but corruption, and {@link #next} throws {@link JournalCorruptException}.
 */
public final class JournalReader implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("io.reprise.journal");
    private static final long NOT_CHECKED = Long.MIN_VALUE;

    private final SingleChronicleQueue queue;
    private final ExcerptTailer tailer;
    private final Path dir;
    private final EntryCodec codec = new EntryCodec(Integer.MAX_VALUE - 8);
    private int fileCycle = Integer.MIN_VALUE;
    private Path file;
    /** The position at which the end was last examined; a reader polling at the end checks once. */
    private long checkedEnd = NOT_CHECKED;
    private IncompleteEntry incomplete;

    JournalReader(SingleChronicleQueue queue, ExcerptTailer tailer, Path dir) {
        this.queue = queue;
        this.tailer = tailer;
        this.dir = dir;
    }

    /**
     * The next entry, or null at the end of the journal. After a {@link JournalException}, the reader
     * stands after the offending entry.
     *
     * @throws JournalCorruptException            if the entry's checksum does not match or it cannot be
     *                                            decoded, or the journal ends before entries its index lists
     * @throws UnsupportedJournalFormatException if the entry was written by a newer journal format
     * @throws JournalException                  if the journal cannot be read (for example, it was closed)
     */
    public JournalEntry next() {
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            JournalEntry entry = readOne();
            return entry != null ? entry : atEnd();
        } catch (JournalException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new JournalException("Could not read the journal in " + dir + ": " + e, e);
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /**
     * What the reader found where the journal ends: an entry a crash cut short, if the last call to
     * {@link #next} returned null in front of one. Empty while entries are being returned, and when the
     * journal ends cleanly.
     */
    public Optional<IncompleteEntry> incompleteEntry() {
        return Optional.ofNullable(incomplete);
    }

    private JournalEntry readOne() {
        try (DocumentContext document = tailer.readingDocument()) {
            if (!document.isPresent()) {
                return null;
            }
            incomplete = null;
            long position = document.index();
            Bytes<?> bytes = document.wire().bytes();
            int length = (int) bytes.readRemaining();
            byte[] buffer = codec.readBuffer(length);
            bytes.read(buffer, 0, length);
            return codec.decode(buffer, length, position, currentFile());
        }
    }

    /**
     * Called when no document was found. Tells a true end (clean, or after an incomplete entry) from
     * a damaged header that hides later entries.
     */
    private JournalEntry atEnd() {
        long next = tailer.index();
        if (next == checkedEnd) {
            return null;
        }
        long last = queue.lastIndex();
        if (last >= 0 && next <= last) {
            // An append may have completed between the failed read and lastIndex(): read once more.
            JournalEntry entry = readOne();
            if (entry != null) {
                return entry;
            }
            throw new JournalCorruptException("no entry can be read here, although the journal's index lists"
                    + " entries up to position " + last + " (a damaged entry header hides them)", next, currentFile());
        }
        checkedEnd = next;
        incomplete = JournalTail.incompleteEntryAt(tailer, next);
        if (incomplete != null) {
            LOG.log(Level.WARNING, incomplete.describe());
        }
        return null;
    }

    /** The file of the entry being read; looked up once per roll cycle (a day), not per entry. */
    private Path currentFile() {
        int cycle = tailer.cycle();
        if (cycle != fileCycle) {
            File current = tailer.currentFile();
            file = current == null ? dir : current.toPath().toAbsolutePath();
            fileCycle = cycle;
        }
        return file;
    }

    /** Releases the reader. Idempotent. */
    @Override
    public void close() {
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            tailer.close();
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }
}
