package io.reprise.journal;

/**
 * The journal could not do what was asked. The message says what happened, where (directory, file,
 * position) and what to do next. Subclasses mark the cases a caller may want to tell apart:
 * {@link JournalCorruptException} and {@link UnsupportedJournalFormatException}.
 */
public class JournalException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JournalException(String message) {
        super(message);
    }

    public JournalException(String message, Throwable cause) {
        super(message, cause);
    }
}
