package io.reprise.journal;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A journaled request as read back from the journal.
 *
 * <p>{@code equals} and {@code hashCode} compare the body by content, unlike a plain record with an
 * array component. The body array is handed over as read, without a defensive copy: do not modify it.
 *
 * @param position   where the entry sits in the journal; positions increase in append order
 * @param timeMillis wall-clock time of the append, as {@link System#currentTimeMillis()}
 * @param method     the HTTP method, e.g. {@code POST}
 * @param target     the request path plus raw query, exactly as received, e.g. {@code /counter?x=1}
 * @param headers    the request headers in the order received, duplicates included; unmodifiable
 * @param body       the request body; never null, empty when the request had none
 */
public record JournalEntry(long position, long timeMillis, String method, String target,
                           List<Header> headers, byte[] body) {

    public JournalEntry {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        headers = List.copyOf(headers);
        Objects.requireNonNull(body, "body");
    }

    /** STUB (replaced by work/outcomes). */
    public Outcome outcome() {
        return null;
    }

    /** STUB (replaced by work/outcomes). */
    public boolean outcomeMissing() {
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JournalEntry e
                && position == e.position
                && timeMillis == e.timeMillis
                && method.equals(e.method)
                && target.equals(e.target)
                && headers.equals(e.headers)
                && Arrays.equals(body, e.body);
    }

    @Override
    public int hashCode() {
        return Objects.hash(position, timeMillis, method, target, headers) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "JournalEntry[position=" + position + ", timeMillis=" + timeMillis + ", method=" + method
                + ", target=" + target + ", headers=" + headers + ", body=" + body.length + " bytes]";
    }
}
