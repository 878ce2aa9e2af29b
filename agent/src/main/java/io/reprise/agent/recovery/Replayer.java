package io.reprise.agent.recovery;

import io.reprise.journal.JournalEntry;
import io.reprise.journal.Outcome;

/**
 * Applies a journaled request again, in-process, through the same filters and handler that applied it live,
 * with the response discarded. Each server adapter provides one.
 */
@FunctionalInterface
public interface Replayer {

    /**
     * Replays {@code entry} and returns what the application answered: the status and a digest of the body, or, when
     * the application threw, the exception ({@link Outcome#threw}), computed exactly as live so that recovery can
     * compare the two. Throws only when the entry cannot be replayed at all (no handler for its path, say).
     */
    Outcome replay(JournalEntry entry) throws Exception;
}
