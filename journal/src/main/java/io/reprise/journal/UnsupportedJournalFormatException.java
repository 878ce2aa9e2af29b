package io.reprise.journal;

/**
 * An entry was written in a journal format this version of Reprise does not know, by a newer
 * version. Reprise never guesses at such data; the message names the format found and the one
 * supported.
 */
public final class UnsupportedJournalFormatException extends JournalException {

    private static final long serialVersionUID = 1L;

    UnsupportedJournalFormatException(String message) {
        super(message);
    }
}
