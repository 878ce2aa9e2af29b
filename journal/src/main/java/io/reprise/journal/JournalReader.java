package io.reprise.journal;

import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.nio.file.Path;

/**
 * Reads journal entries in order, from a starting point chosen by {@link Journal#readAfter}.
 *
 * <p>Not thread-safe, like an {@code Iterator}: one thread at a time, though it may be handed from
 * one thread to another. An entry that a crashed writer left incomplete is never returned: Chronicle
 * marks a document complete only when its append finishes, and the reader ends at the first one that
 * is not. The next append overwrites such a remnant.
 */
public final class JournalReader implements AutoCloseable {

    private final ExcerptTailer tailer;
    private final Path dir;
    private final EntryCodec codec = new EntryCodec(Integer.MAX_VALUE - 8);
    private int fileCycle = Integer.MIN_VALUE;
    private Path file;

    JournalReader(ExcerptTailer tailer, Path dir) {
        this.tailer = tailer;
        this.dir = dir;
    }

    /**
     * The next entry, or null at the end of the journal. After a {@link JournalException}, the reader
     * stands after the offending entry.
     *
     * @throws JournalCorruptException            if the entry's checksum does not match or it cannot be decoded
     * @throws UnsupportedJournalFormatException if the entry was written by a newer journal format
     * @throws JournalException                  if the journal cannot be read (for example, it was closed)
     */
    public JournalEntry next() {
        ClassLoader previous = ChronicleEnvironment.enter();
        try (DocumentContext document = tailer.readingDocument()) {
            if (!document.isPresent()) {
                return null;
            }
            long position = document.index();
            Bytes<?> bytes = document.wire().bytes();
            int length = (int) bytes.readRemaining();
            byte[] buffer = codec.readBuffer(length);
            bytes.read(buffer, 0, length);
            return codec.decode(buffer, length, position, currentFile());
        } catch (JournalException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new JournalException("Could not read the journal in " + dir + ": " + e, e);
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /** The file of the entry being read; looked up once per roll cycle (a day), not per entry. */
    private Path currentFile() {
        int cycle = tailer.cycle();
        if (cycle != fileCycle) {
            File current = tailer.currentFile();
            file = current == null ? dir : current.toPath();
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
