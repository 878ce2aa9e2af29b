package io.reprise.journal;

import java.nio.file.Path;

/**
 * An entry in the journal is damaged: its checksum does not match, or its contents cannot be decoded.
 * The entries before it are intact; nothing at or after it can be trusted to be replayed.
 */
public final class JournalCorruptException extends JournalException {

    private static final long serialVersionUID = 1L;

    private final long position;
    private final transient Path file;

    JournalCorruptException(String problem, long position, Path file) {
        super("Journal entry at position " + position + " in " + file + " is corrupt: " + problem
                + ". The entries before this position are intact. Restore the journal from a backup, or"
                + " truncate the journal at this position to discard this entry and everything after it.");
        this.position = position;
        this.file = file;
    }

    /** The position of the damaged entry. */
    public long position() {
        return position;
    }

    /** The journal file that holds the damaged entry. */
    public Path file() {
        return file;
    }
}
