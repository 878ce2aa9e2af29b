package io.reprise.agent.recovery;

import io.reprise.journal.JournalEntry;

/**
 * Applies a journaled request again, in-process, through the same filters and handler that applied it live,
 * with the response discarded. Each server adapter provides one.
 */
@FunctionalInterface
public interface Replayer {

    /** Replays {@code entry} and returns the response status the application produced. */
    int replay(JournalEntry entry) throws Exception;
}
