package io.reprise.agent.writepath;

/**
 * The journal could not take a request (not open yet, closed at shutdown, or the append failed). The request
 * was not applied; adapters answer it with 503.
 */
public final class JournalUnavailableException extends Exception {
    public JournalUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
