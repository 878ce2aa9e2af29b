package io.reprise.journal;

import java.util.Arrays;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * What a journaled request answered live: the status its handler sent and a digest of the response body,
 * or the exception the handler threw. The journal keeps one per request entry, right after it, so that
 * replay can compare what the request does now with what it did then (brief, C9).
 *
 * <p>It also carries opaque {@link #recorded() recorded bytes}: room in the format for the values a request
 * obtained while it ran (time, randomness, identifiers), which a later release records; empty today. The
 * journal stores them as given and never looks inside.
 *
 * <p>For a request that carried an {@code Idempotency-Key}, it may also carry the {@link #response() response}
 * itself, opaque to the journal as well: the agent encodes status, headers and body there so that a retry with the
 * same key can be answered with it, after a restart too.
 *
 * <p>Immutable; {@code equals}, {@code hashCode} and {@code toString} go by value (the recorded bytes by
 * content).
 */
public final class Outcome {

    /** The status of a handler that returned without sending a status line. */
    public static final int NO_STATUS = -1;

    /** The most chars of an exception message an outcome keeps; a longer message is cut to its first ones. */
    public static final int MAX_MESSAGE_CHARS = 1024;

    private static final byte[] NOTHING = new byte[0];

    private final int status;
    private final boolean threw;
    private final String exceptionClass;
    private final String message;
    private final long bodyDigest;
    private final byte[] recorded;
    private final byte[] response;

    private Outcome(int status, boolean threw, String exceptionClass, String message, long bodyDigest, byte[] recorded,
                    byte[] response) {
        this.status = status;
        this.threw = threw;
        this.exceptionClass = exceptionClass;
        this.message = message;
        this.bodyDigest = bodyDigest;
        this.recorded = recorded;
        this.response = response;
    }

    /**
     * The handler returned.
     *
     * @param status     the HTTP status sent, or {@link #NO_STATUS} if it sent none
     * @param bodyDigest the response body's {@link #digest}
     * @throws IllegalArgumentException if {@code status} is below {@link #NO_STATUS} or is
     *                                  {@code Integer.MAX_VALUE} (the format stores {@code status + 1})
     */
    public static Outcome answered(int status, long bodyDigest) {
        checkStatus(status);
        return new Outcome(status, false, null, null, bodyDigest, NOTHING, NOTHING);
    }

    /**
     * The handler threw.
     *
     * @param exceptionClass the exception's class name, e.g. {@code java.lang.IllegalStateException}
     * @param message        its message; null, and the empty string, are kept as null; of a longer message only
     *                       the first {@value #MAX_MESSAGE_CHARS} chars are kept (one fewer if that would split a
     *                       surrogate pair)
     */
    public static Outcome threw(String exceptionClass, String message) {
        Objects.requireNonNull(exceptionClass, "exceptionClass");
        return new Outcome(NO_STATUS, true, exceptionClass, clip(message), 0L, NOTHING, NOTHING);
    }

    /** As the codec reads it back: any status, as a later release may store one beside a throw. */
    static Outcome decoded(int status, boolean threw, String exceptionClass, String message, long bodyDigest,
                           byte[] recorded, byte[] response) {
        return new Outcome(status, threw, threw ? exceptionClass : null, threw ? clip(message) : null,
                threw ? 0L : bodyDigest, recorded.length == 0 ? NOTHING : recorded,
                response.length == 0 ? NOTHING : response);
    }

    /** A copy with {@code recorded} attached (copied); null is taken as empty. */
    public Outcome withRecorded(byte[] recorded) {
        byte[] copy = recorded == null || recorded.length == 0 ? NOTHING : recorded.clone();
        return new Outcome(status, threw, exceptionClass, message, bodyDigest, copy, response);
    }

    /** A copy with the stored {@code response} attached (not copied: hand over an array nobody changes); null is empty. */
    public Outcome withResponse(byte[] response) {
        return new Outcome(status, threw, exceptionClass, message, bodyDigest, recorded,
                response == null || response.length == 0 ? NOTHING : response);
    }

    /**
     * The digest of a response body that an outcome stores: the high 32 bits are the CRC32C of the bytes, the low
     * 32 bits their length (modulo 2<sup>32</sup>). It is a check that replay produced the same body, not a
     * cryptographic hash: it detects accidental differences, not deliberate ones. An empty body's digest is 0.
     */
    public static long digest(byte[] body, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, body.length);
        CRC32C crc = new CRC32C();
        crc.update(body, offset, length);
        return digest((int) crc.getValue(), length);
    }

    /**
     * The digest of a body whose CRC32C was computed elsewhere (for example while the body streamed out in
     * pieces): {@code crc32c} in the high 32 bits, {@code length} modulo 2<sup>32</sup> in the low ones, as
     * {@link #digest(byte[], int, int)}.
     */
    public static long digest(int crc32c, long length) {
        return ((long) crc32c << 32) | (length & 0xFFFF_FFFFL);
    }

    /** The HTTP status sent, or {@link #NO_STATUS}; {@link #threw(String, String)} makes outcomes without one. */
    public int status() {
        return status;
    }

    /** Whether the handler threw. */
    public boolean threw() {
        return threw;
    }

    /** The class name of the exception the handler threw; null unless it {@link #threw()}. */
    public String exceptionClass() {
        return exceptionClass;
    }

    /** The exception's message, at most {@value #MAX_MESSAGE_CHARS} chars; null when it had none or none was thrown. */
    public String message() {
        return message;
    }

    /** The response body's {@link #digest}; 0 when the handler threw. */
    public long bodyDigest() {
        return bodyDigest;
    }

    /** The recorded bytes; empty, never null, when there are none. The array is shared: do not modify it. */
    public byte[] recorded() {
        return recorded;
    }

    /**
     * The stored response of a request with an {@code Idempotency-Key}, as the agent encoded it; empty, never null,
     * when none was stored. The array is shared: do not modify it.
     */
    public byte[] response() {
        return response;
    }

    /**
     * Whether {@code replay} (what the request did on replay) matches this outcome (what it did live): both threw
     * an exception of the same class, or neither threw and the status is the same and, with {@code compareBody},
     * the body digest too. Exception messages, recorded bytes and stored responses are not compared.
     */
    public boolean sameAs(Outcome replay, boolean compareBody) {
        if (threw || replay.threw) {
            return threw && replay.threw && exceptionClass.equals(replay.exceptionClass);
        }
        return status == replay.status && (!compareBody || bodyDigest == replay.bodyDigest);
    }

    /**
     * A short phrase for logs: {@code status 201}, {@code status 200, body crc32c 1a2b3c4d (12 bytes)},
     * {@code no status sent}, {@code threw java.lang.IllegalStateException: no item 7}.
     */
    public String describe() {
        return describe(true) + (recorded.length > 0 ? ", " + recorded.length + " recorded bytes" : "")
                + (response.length > 0 ? ", " + response.length + " bytes of stored response" : "");
    }

    /**
     * What was answered, as {@link #describe()} says it but without the recorded bytes (which a comparison does not
     * look at); without {@code withBody} the body's digest is left out too (a comparison of statuses only names what
     * it compared).
     */
    public String describe(boolean withBody) {
        StringBuilder text = new StringBuilder();
        if (threw) {
            text.append("threw ").append(exceptionClass);
            if (message != null) {
                text.append(": ").append(message);
            }
        } else {
            text.append(status == NO_STATUS ? "no status sent" : "status " + status);
            if (withBody && bodyDigest != 0) {
                text.append(String.format(", body crc32c %08x (%d bytes)", (int) (bodyDigest >>> 32),
                        bodyDigest & 0xFFFF_FFFFL));
            }
        }
        return text.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Outcome other
                && status == other.status
                && threw == other.threw
                && Objects.equals(exceptionClass, other.exceptionClass)
                && Objects.equals(message, other.message)
                && bodyDigest == other.bodyDigest
                && Arrays.equals(recorded, other.recorded)
                && Arrays.equals(response, other.response);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, threw, exceptionClass, message, bodyDigest) * 31 + Arrays.hashCode(recorded) * 17
                + Arrays.hashCode(response);
    }

    @Override
    public String toString() {
        return "Outcome[" + describe() + "]";
    }

    private static void checkStatus(int status) {
        if (status < NO_STATUS || status == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("HTTP status " + status + " cannot be recorded; a status is "
                    + NO_STATUS + " (none sent) or a non-negative number below " + Integer.MAX_VALUE);
        }
    }

    private static String clip(String message) {
        if (message == null || message.isEmpty()) {
            return null;
        }
        if (message.length() <= MAX_MESSAGE_CHARS) {
            return message;
        }
        int end = Character.isHighSurrogate(message.charAt(MAX_MESSAGE_CHARS - 1)) ? MAX_MESSAGE_CHARS - 1 : MAX_MESSAGE_CHARS;
        return message.substring(0, end);
    }
}
