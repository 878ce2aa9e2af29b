package io.reprise.journal;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A journaled request as read back from the journal, with the outcome it had live when the journal holds one.
 *
 * <p>{@code equals} and {@code hashCode} compare the body by content, unlike a plain record with an
 * array component. The body array is handed over as read, without a defensive copy: do not modify it.
 *
 * @param position        where the entry sits in the journal; positions increase in append order
 * @param timeMillis      wall-clock time of the append, as {@link System#currentTimeMillis()}
 * @param method          the HTTP method, e.g. {@code POST}
 * @param target          the request path plus raw query, exactly as received, e.g. {@code /counter?x=1}
 * @param headers         the request headers in the order received, duplicates included; unmodifiable
 * @param body            the request body; never null, empty when the request had none
 * @param outcome         what the request answered live, as recorded in the outcome record right after the
 *                        entry; null when there is none (see {@link #outcomeMissing()})
 * @param outcomeExpected whether the entry was appended with {@link Journal#appendRequest}, so that an outcome
 *                        record was to follow it; false for entries of {@link Journal#append} (and of journals
 *                        written before outcomes existed)
 */
public record JournalEntry(long position, long timeMillis, String method, String target,
                           List<Header> headers, byte[] body, Outcome outcome, boolean outcomeExpected) {

    public JournalEntry {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }

    /** An entry after which no outcome is expected (kind 1), as journals before outcomes held. */
    public JournalEntry(long position, long timeMillis, String method, String target, List<Header> headers,
                        byte[] body) {
        this(position, timeMillis, method, target, headers, body, null, false);
    }

    /**
     * Whether an outcome was expected after this entry but the journal holds none: the process stopped between
     * appending the entry and its outcome, so the request was never acknowledged. (A reader at the end of a
     * journal that a running service is appending to may also see this for the newest entry, whose outcome is
     * not written yet.)
     */
    public boolean outcomeMissing() {
        return outcomeExpected && outcome == null;
    }

    /** What the method of an agent record starts with; no HTTP method can ('@' is not an RFC 9110 token character). */
    public static final String AGENT_RECORD = "@";

    /**
     * Whether this is an agent record ({@link Journal#appendRecord}): a change the agent journaled itself, such as a
     * container session created outside journaled requests, rather than a request. Its {@link #method} is
     * {@code '@'} and the record's type, its {@link #target} says what it applies to, its {@link #body} holds the
     * change; it never has an outcome.
     */
    public boolean agentRecord() {
        return isAgentRecordMethod(method);
    }

    /** The record's type, e.g. {@code session}, of an {@link #agentRecord()}; null for a request. */
    public String recordType() {
        return agentRecord() ? method.substring(AGENT_RECORD.length()) : null;
    }

    static boolean isAgentRecordMethod(String method) {
        return method.startsWith(AGENT_RECORD);
    }

    /** This entry with {@code outcome} attached. */
    JournalEntry withOutcome(Outcome outcome) {
        return new JournalEntry(position, timeMillis, method, target, headers, body, outcome, outcomeExpected);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JournalEntry e
                && position == e.position
                && timeMillis == e.timeMillis
                && method.equals(e.method)
                && target.equals(e.target)
                && headers.equals(e.headers)
                && Arrays.equals(body, e.body)
                && Objects.equals(outcome, e.outcome)
                && outcomeExpected == e.outcomeExpected;
    }

    @Override
    public int hashCode() {
        return Objects.hash(position, timeMillis, method, target, headers, outcome, outcomeExpected) * 31
                + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "JournalEntry[position=" + position + ", timeMillis=" + timeMillis + ", method=" + method
                + ", target=" + target + ", headers=" + headers + ", body=" + body.length + " bytes"
                + (outcomeExpected ? ", outcome=" + (outcome == null ? "missing" : outcome.describe()) : "") + "]";
    }
}
