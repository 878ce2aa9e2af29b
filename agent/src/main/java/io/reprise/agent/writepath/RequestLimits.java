package io.reprise.agent.writepath;

import io.reprise.agent.config.Config;
import io.reprise.journal.Header;
import io.reprise.journal.Journal;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;

/**
 * The limits every adapter checks before a journaled request reaches {@link WritePath#apply}: the body is at
 * most {@code reprise.journal.max-body} ({@code 413} above it), the method, target and headers take at most
 * {@link Config#HEADER_ALLOWANCE} in the entry ({@code 431} above it). Within both, the request fits one journal
 * entry, so the journal never has to refuse it.
 */
public final class RequestLimits {

    /** Status for a body over {@code reprise.journal.max-body}. */
    public static final int BODY_TOO_LARGE = 413;

    /** Status for a target and headers over {@link Config#HEADER_ALLOWANCE}. */
    public static final int HEADERS_TOO_LARGE = 431;

    /** A body whose length is not declared grows from this many bytes. */
    private static final int FIRST_CHUNK = 8 << 10;
    private static final byte[] EMPTY = new byte[0];

    /** A declared length up to this is allocated at once; above, the buffer grows as bytes arrive. */
    private static final int ALLOCATE_AT_ONCE = 64 << 10;

    private RequestLimits() {
    }

    /** The reason given with a {@code 413}. */
    public static String bodyTooLarge(int maxBody) {
        return "the request body is larger than reprise.journal.max-body (" + maxBody + " bytes)";
    }

    /**
     * An upper bound of the bytes the method, target and headers take in a journal entry, from {@code length()}
     * calls only: three UTF-8 bytes per char at most, five per length prefix, 64 for the entry's fixed fields.
     */
    static long boundBesideBody(String method, String target, List<Header> headers) {
        long bound = 64 + 3L * method.length() + 3L * target.length();
        for (int i = 0, n = headers.size(); i < n; i++) {
            Header h = headers.get(i);
            bound += 10 + 3L * h.name().length() + 3L * h.value().length();
        }
        return bound;
    }

    /**
     * Null if the method, target and headers fit beside any body of {@code reprise.journal.max-body}, else the
     * reason to give with a {@code 431}.
     */
    public static String headersTooLarge(String method, String target, List<Header> headers) {
        // The bound settles every usual request with length() calls only; the exact count runs when it does not.
        if (boundBesideBody(method, target, headers) <= Config.HEADER_ALLOWANCE) {
            return null;
        }
        long bytes = Journal.entryBytesBesideBody(method, target, headers);
        if (bytes <= Config.HEADER_ALLOWANCE) {
            return null;
        }
        return "the request target and headers take " + bytes + " bytes in the journal entry, more than the "
                + Config.HEADER_ALLOWANCE + " one entry holds beside the body; send shorter headers";
    }

    /**
     * Reads a request body of at most {@code max} bytes, or returns null as soon as it is known to be longer: at
     * once when {@code declaredLength} (the {@code Content-Length}, or -1 when there is none, as with chunked
     * bodies) is over {@code max}, else after reading {@code max + 1} bytes. The rest of a refused body is left
     * unread. Memory grows with the bytes that arrived, not with the length a client declares, and never beyond
     * about {@code max}.
     */
    public static byte[] readBody(InputStream in, long declaredLength, int max) throws IOException {
        if (declaredLength > max) {
            return null;
        }
        // With a declared length, read exactly that much (the container ends the stream there); without, read one
        // byte past max to know that the body is longer.
        int limit = declaredLength >= 0 ? (int) declaredLength : max + 1;
        if (limit == 0) {
            return EMPTY;
        }
        int length = 0;
        int first = -1;
        if (declaredLength < 0) {
            // No length: often no body at all (a POST without Content-Length has none in HTTP/1.1). Look before
            // allocating the first chunk, which would be 8 KiB of garbage per such request.
            first = in.read();
            if (first < 0) {
                return EMPTY;
            }
        }
        byte[] buf = new byte[declaredLength >= 0 && limit <= ALLOCATE_AT_ONCE ? limit : Math.min(limit, FIRST_CHUNK)];
        if (first >= 0) {
            buf[length++] = (byte) first; // limit is max + 1 here, and max at least 1 KiB: room for more
        }
        while (true) {
            int n = in.read(buf, length, buf.length - length);
            if (n < 0) {
                break;
            }
            length += n;
            if (length == buf.length) {
                if (length == limit) {
                    if (declaredLength < 0) {
                        return null; // max + 1 bytes arrived
                    }
                    break;
                }
                buf = Arrays.copyOf(buf, (int) Math.min(limit, 2L * buf.length));
            }
        }
        return length == buf.length ? buf : Arrays.copyOf(buf, length);
    }
}
