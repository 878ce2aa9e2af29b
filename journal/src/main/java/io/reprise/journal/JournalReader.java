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
 * <p>Outcomes: {@link #next} returns request entries only, each with its {@link JournalEntry#outcome() outcome}
 * attached when the record right after it is the outcome record of its position. Outcome records are never
 * returned on their own; one whose entry lies before the reader's start (a reader after an entry whose outcome
 * follows) is skipped, as is any outcome record not right after its entry. An entry that expected an outcome
 * (kind 3) but is followed by another entry, or ends the journal, is returned without one
 * ({@link JournalEntry#outcomeMissing()}): the process stopped between the two appends. To see whether the
 * outcome follows, the reader reads the next record ahead and keeps it for the next call; if that record is
 * damaged, the entry is still returned (without outcome) and the next call throws for the damaged record's own
 * position. A reader polling at the end of a journal that a running service appends to may return the newest
 * entry before its outcome is written, so without it; it does not wait for the outcome.
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
    /** A record read ahead of an entry that expected an outcome, and not its outcome; null when none. */
    private JournalEntry held;
    /** What reading ahead threw; thrown by the next call to {@link #next}. */
    private JournalException heldFailure;

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
        if (heldFailure != null) {
            JournalException failure = heldFailure;
            heldFailure = null;
            throw failure;
        }
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            JournalEntry entry = nextEntry();
            return entry == null || !entry.outcomeExpected() ? entry : withOutcome(entry);
        } catch (JournalException e) {
            throw e;
        } catch (RuntimeException e) {
            throw wrapped(e);
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /** The next request entry, as read; skips outcome records (their entries are not this reader's). */
    private JournalEntry nextEntry() {
        if (held != null) {
            JournalEntry entry = held;
            held = null;
            return entry;
        }
        while (true) { // bounded: each turn consumes one record
            Object record = readOne();
            if (record == null) {
                record = atEnd();
                if (record == null) {
                    return null;
                }
            }
            if (record instanceof JournalEntry entry) {
                return entry;
            }
            long skipped = ((OutcomeRecord) record).position();
            LOG.log(Level.DEBUG, () -> "Journal reader in " + dir + " skips the outcome record at position "
                    + skipped + ": its entry is not one this reader returned");
        }
    }

    /** Reads the record after {@code entry}: its outcome is attached, anything else is kept for the next call. */
    private JournalEntry withOutcome(JournalEntry entry) {
        Object next;
        try {
            next = readOne(); // no end checks here: the next call makes them, as for any record
        } catch (JournalException e) {
            heldFailure = e;
            return entry;
        } catch (RuntimeException e) {
            heldFailure = wrapped(e);
            return entry;
        }
        if (next instanceof OutcomeRecord outcome) {
            if (outcome.requestPosition() == entry.position()) {
                return entry.withOutcome(outcome.outcome());
            }
            LOG.log(Level.DEBUG, () -> "Journal reader in " + dir + " skips the outcome record at position "
                    + outcome.position() + ": it is for position " + outcome.requestPosition() + ", not for the"
                    + " entry before it at " + entry.position());
        } else if (next != null) {
            held = (JournalEntry) next;
        }
        return entry;
    }

    private JournalException wrapped(RuntimeException e) {
        return new JournalException("Could not read the journal in " + dir + ": " + e, e);
    }

    /**
     * What the reader found where the journal ends: an entry a crash cut short, if the last call to
     * {@link #next} returned null in front of one. Empty while entries are being returned, and when the
     * journal ends cleanly.
     */
    public Optional<IncompleteEntry> incompleteEntry() {
        return Optional.ofNullable(incomplete);
    }

    /** The next record, a {@link JournalEntry} or an {@link OutcomeRecord}; null if no document is there. */
    private Object readOne() {
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
    private Object atEnd() {
        long next = tailer.index();
        if (next == checkedEnd) {
            return null;
        }
        long last = queue.lastIndex();
        if (last >= 0 && next <= last) {
            // An append may have completed between the failed read and lastIndex(): read once more.
            Object record = readOne();
            if (record != null) {
                return record;
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
