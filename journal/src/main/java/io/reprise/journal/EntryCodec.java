package io.reprise.journal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * The binary form of one journal record, the bytes inside one Chronicle document. Knows nothing about
 * Chronicle, so it can be tested on plain arrays.
 *
 * <p>Every record starts with the format version and its kind, and ends with a checksum:
 *
 * <pre>
 * size      field
 * 1         format version, 1
 * 1         kind: 1 = request (no outcome follows; written before outcomes existed, and by tools and tests)
 *                 2 = outcome of a request
 *                 3 = request whose outcome follows
 *                 4 = agent record: a change the agent journals itself, not a request (a container session
 *                     created or changed outside journaled requests); the request layout, with a "method" of
 *                     '@' and the record's type, which no HTTP method can be ('@' is not a token character)
 *                 5 = outcome of a request, with its stored response (kind 2's layout and one field more)
 *                 other values are reserved for later formats
 * ...       the kind's fields, below
 * 4         CRC32C of every preceding byte of the record, big-endian
 * </pre>
 *
 * Kinds 1, 3 and 4, a request or an agent record (the same layout; the kind says whether an outcome record is to
 * follow, or that it is an agent record):
 *
 * <pre>
 * 8         timeMillis, big-endian
 * varint+n  method, UTF-8
 * varint+n  target (path plus raw query), UTF-8
 * varint    header count, then per header: name and value, each varint+n UTF-8
 * varint+n  body
 * </pre>
 *
 * Kind 2, the outcome of the request at {@code request position} (see {@link Outcome}):
 *
 * <pre>
 * 8         request position, big-endian
 * varint    status + 1 (0 = no status sent)
 * 1         flags: bit 0 = the handler threw; the other bits are 0
 * if threw:
 *   varint+n  exception class name, UTF-8
 *   varint+n  exception message, UTF-8, at most 1024 chars (empty = none)
 * else:
 *   8         response body digest, big-endian ({@link Outcome#digest})
 * varint+n  recorded bytes, opaque (the agent's recorded clock, UUID and random values)
 * </pre>
 *
 * Kind 5, an outcome that also keeps the response (of a request with an {@code Idempotency-Key}): kind 2's layout,
 * then
 *
 * <pre>
 * varint+n  stored response, opaque (the agent's encoding: status, headers, body)
 * </pre>
 *
 * A kind of its own rather than a flag of kind 2, so that a release before it refuses such a journal as written by
 * a newer Reprise instead of calling the record damaged.
 *
 * A varint is an unsigned LEB128 number of at most 31 bits (1 byte below 128, so a typical entry
 * spends one byte per length). Every later format keeps two things in place, the version in the first
 * byte and the CRC32C of the rest in the last four, so a reader can always tell a damaged entry
 * (checksum mismatch) from one written by a newer Reprise (checksum fine, version unknown). A record of a
 * kind this version does not define is refused the same way, as written by a newer Reprise.
 *
 * <p>An instance holds a reusable buffer and checksum, so it is used by one thread at a time: the
 * journal owns one for appends, each reader its own for decoding. Encoding allocates nothing once the
 * buffer has grown to the largest entry seen. Decoding checks every length against the bytes that are
 * left before allocating, so a damaged length is reported as corruption, never an OutOfMemoryError.
 */
final class EntryCodec {

    static final int FORMAT_VERSION = 1;
    static final int KIND_REQUEST = 1;
    static final int KIND_OUTCOME = 2;
    static final int KIND_REQUEST_WITH_OUTCOME = 3;
    static final int KIND_AGENT_RECORD = 4;
    static final int KIND_OUTCOME_WITH_RESPONSE = 5;

    private static final int FLAG_THREW = 1;

    private static final int CHECKSUM_BYTES = 4;
    private static final int MAX_VARINT_BYTES = 5;
    private static final int FIXED_PREFIX_BYTES = 1 + 1 + 8;
    private static final int INITIAL_BUFFER_BYTES = 4096;
    private static final VarHandle LONG_BE =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_BE =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    private final CRC32C crc = new CRC32C();
    private final int maxEntryBytes;
    private byte[] buf;
    private int pos;
    /** What is being encoded, for the too-large error. */
    private boolean encodingOutcome;

    // Decoding state, valid during one decode() call.
    private byte[] in;
    /** What {@link #readString(String, int)} decoded last in each slot, as bytes and as the string. */
    private static final int REUSED_SLOTS = 18;
    private static final int REUSED_MAX = 512;
    private final byte[][] lastBytes = new byte[REUSED_SLOTS][];
    private final String[] lastStrings = new String[REUSED_SLOTS];
    private int at;
    private int limit;
    private long position;
    private Path file;

    /** @param maxEntryBytes the largest entry {@link #encode} may produce */
    EntryCodec(int maxEntryBytes) {
        this.maxEntryBytes = maxEntryBytes;
        this.buf = new byte[Math.min(INITIAL_BUFFER_BYTES, maxEntryBytes)];
    }

    /**
     * Encodes one request entry of kind 1 (no outcome follows) into the internal buffer.
     *
     * @param body the request body; null is taken as empty
     * @return the entry's length; its bytes are {@code buffer()[0, length)}, valid until the next call
     * @throws JournalException if the entry would be longer than the maximum given at construction
     */
    int encode(long timeMillis, String method, String target, List<Header> headers, byte[] body) {
        return encode(KIND_REQUEST, timeMillis, method, target, headers, body);
    }

    /**
     * As {@link #encode(long, String, String, List, byte[])}, with the kind: {@link #KIND_REQUEST} or
     * {@link #KIND_REQUEST_WITH_OUTCOME}.
     */
    int encode(int kind, long timeMillis, String method, String target, List<Header> headers, byte[] body) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(headers, "headers");
        if (kind != KIND_REQUEST && kind != KIND_REQUEST_WITH_OUTCOME && kind != KIND_AGENT_RECORD) {
            throw new IllegalArgumentException("not a request kind: " + kind);
        }
        if ((kind == KIND_AGENT_RECORD) != JournalEntry.isAgentRecordMethod(method)) {
            throw new IllegalArgumentException("an agent record's method, and only its, starts with '@': " + method);
        }
        encodingOutcome = false;
        pos = 0;
        ensure(FIXED_PREFIX_BYTES);
        buf[0] = FORMAT_VERSION;
        buf[1] = (byte) kind;
        LONG_BE.set(buf, 2, timeMillis);
        pos = FIXED_PREFIX_BYTES;
        putString(method);
        putString(target);
        int headerCount = headers.size();
        putVarint(headerCount);
        for (int i = 0; i < headerCount; i++) { // indexed: no iterator on the hot path
            Header header = headers.get(i);
            putString(header.name());
            putString(header.value());
        }
        int bodyLength = body == null ? 0 : body.length;
        putVarint(bodyLength);
        if (bodyLength > 0) {
            ensure(bodyLength);
            System.arraycopy(body, 0, buf, pos, bodyLength);
            pos += bodyLength;
        }
        crc.reset();
        crc.update(buf, 0, pos);
        INT_BE.set(buf, pos, (int) crc.getValue()); // room reserved by ensure()
        pos += CHECKSUM_BYTES;
        return pos;
    }

    /**
     * Encodes the outcome record (kind 2) of the request at {@code requestPosition} into the internal buffer.
     * Allocates nothing once the buffer is large enough.
     *
     * @return the record's length; its bytes are {@code buffer()[0, length)}, valid until the next call
     * @throws JournalException if the record would be longer than the maximum given at construction
     */
    int encodeOutcome(long requestPosition, Outcome outcome) {
        Objects.requireNonNull(outcome, "outcome");
        encodingOutcome = true;
        pos = 0;
        ensure(FIXED_PREFIX_BYTES);
        buf[0] = FORMAT_VERSION;
        byte[] response = outcome.response();
        buf[1] = (byte) (response.length > 0 ? KIND_OUTCOME_WITH_RESPONSE : KIND_OUTCOME);
        LONG_BE.set(buf, 2, requestPosition);
        pos = FIXED_PREFIX_BYTES;
        putVarint(outcome.status() + 1);
        ensure(1);
        buf[pos++] = (byte) (outcome.threw() ? FLAG_THREW : 0);
        if (outcome.threw()) {
            putString(outcome.exceptionClass());
            putString(outcome.message() == null ? "" : outcome.message());
        } else {
            ensure(8);
            LONG_BE.set(buf, pos, outcome.bodyDigest());
            pos += 8;
        }
        byte[] recorded = outcome.recorded();
        putVarint(recorded.length);
        if (recorded.length > 0) {
            ensure(recorded.length);
            System.arraycopy(recorded, 0, buf, pos, recorded.length);
            pos += recorded.length;
        }
        if (response.length > 0) {
            putVarint(response.length);
            ensure(response.length);
            System.arraycopy(response, 0, buf, pos, response.length);
            pos += response.length;
        }
        crc.reset();
        crc.update(buf, 0, pos);
        INT_BE.set(buf, pos, (int) crc.getValue()); // room reserved by ensure()
        pos += CHECKSUM_BYTES;
        return pos;
    }

    /** The most bytes {@link #encodeOutcome} needs for {@code outcome}. */
    static long outcomeBytes(Outcome outcome) {
        long bytes = FIXED_PREFIX_BYTES + MAX_VARINT_BYTES + 1;
        if (outcome.threw()) {
            bytes += stringBytes(outcome.exceptionClass()) + stringBytes(outcome.message() == null ? "" : outcome.message());
        } else {
            bytes += 8;
        }
        int response = outcome.response().length;
        return bytes + varintBytes(outcome.recorded().length) + outcome.recorded().length
                + (response == 0 ? 0 : varintBytes(response) + response) + CHECKSUM_BYTES;
    }

    /**
     * The most bytes {@link #encode} needs for this request besides the body's own bytes: the fixed fields,
     * method, target, headers, the checksum and the longest length prefix of a body.
     */
    static long bytesBesideBody(String method, String target, List<Header> headers) {
        long bytes = FIXED_PREFIX_BYTES + stringBytes(method) + stringBytes(target) + varintBytes(headers.size())
                + MAX_VARINT_BYTES + CHECKSUM_BYTES;
        for (int i = 0, n = headers.size(); i < n; i++) {
            Header header = headers.get(i);
            bytes += stringBytes(header.name()) + stringBytes(header.value());
        }
        return bytes;
    }

    private static long stringBytes(String s) {
        int length = utf8Length(s, s.length());
        return varintBytes(length) + (long) length;
    }

    private static int varintBytes(int value) {
        int bytes = 1;
        while ((value & ~0x7F) != 0) {
            value >>>= 7;
            bytes++;
        }
        return bytes;
    }

    /** The buffer {@link #encode} writes into. Its identity changes when it grows. */
    byte[] buffer() {
        return buf;
    }

    /** A buffer of at least {@code length} bytes to copy an entry into before {@link #decode}. */
    byte[] readBuffer(int length) {
        if (buf.length < length) {
            buf = new byte[Math.max(length, buf.length * 2)];
        }
        return buf;
    }

    /**
     * Decodes and verifies the record in {@code src[0, length)}.
     *
     * @return a {@link JournalEntry} for a request (kinds 1 and 3), an {@link OutcomeRecord} for an outcome (kind 2)
     * @param position where the entry sits, for the entry and for error messages
     * @param file     the journal file holding the entry, for error messages
     * @throws JournalCorruptException            if the checksum does not match or the entry does not parse
     * @throws UnsupportedJournalFormatException if the entry was written in a newer format
     */
    Object decode(byte[] src, int length, long position, Path file) {
        this.in = src;
        this.at = 0;
        this.limit = length - CHECKSUM_BYTES;
        this.position = position;
        this.file = file;
        try {
            return decodeVerified();
        } finally {
            this.in = null;
            this.file = null;
        }
    }

    private Object decodeVerified() {
        if (limit < 1) {
            throw corrupt("it is " + (limit + CHECKSUM_BYTES) + " bytes long, too short for any entry");
        }
        int version = in[0] & 0xFF;
        crc.reset();
        crc.update(in, 0, limit);
        int computed = (int) crc.getValue();
        int stored = (int) INT_BE.get(in, limit);
        if (stored != computed) {
            String hint = version > FORMAT_VERSION
                    ? " (its first byte reads as format version " + version + ", newer than the supported "
                      + FORMAT_VERSION + ", but a newer format would still carry a valid checksum)"
                    : "";
            throw corrupt(String.format("checksum mismatch, stored CRC32C %08x but the bytes give %08x%s",
                    stored, computed, hint));
        }
        if (version != FORMAT_VERSION) {
            if (version > FORMAT_VERSION) {
                throw unsupported("was written in journal format version " + version
                        + "; this version of Reprise reads journal format version " + FORMAT_VERSION);
            }
            throw corrupt("format version " + version + " does not exist");
        }
        if (limit < FIXED_PREFIX_BYTES) {
            throw corrupt("it is " + (limit + CHECKSUM_BYTES) + " bytes long, too short for a version "
                    + FORMAT_VERSION + " entry");
        }
        int kind = in[1] & 0xFF;
        if (kind == KIND_OUTCOME || kind == KIND_OUTCOME_WITH_RESPONSE) {
            return decodeOutcome(kind == KIND_OUTCOME_WITH_RESPONSE);
        }
        if (kind != KIND_REQUEST && kind != KIND_REQUEST_WITH_OUTCOME && kind != KIND_AGENT_RECORD) {
            throw unsupported("has entry kind " + kind + ", which journal format version " + FORMAT_VERSION
                    + " does not define (only kinds " + KIND_REQUEST + " and " + KIND_REQUEST_WITH_OUTCOME
                    + ", request, " + KIND_OUTCOME + " and " + KIND_OUTCOME_WITH_RESPONSE + ", outcome, and " + KIND_AGENT_RECORD + ", agent record); this version of Reprise"
                    + " reads journal format version " + FORMAT_VERSION);
        }
        long timeMillis = (long) LONG_BE.get(in, 2);
        at = FIXED_PREFIX_BYTES;
        String method = readString("method", 0);
        if ((kind == KIND_AGENT_RECORD) != JournalEntry.isAgentRecordMethod(method)) {
            throw corrupt(kind == KIND_AGENT_RECORD ? "it is an agent record whose type does not start with '@'"
                    : "it is a request whose method starts with '@', which only agent records' types do");
        }
        String target = readString("target", 1);
        int headerCount = readVarint("header count");
        if (headerCount > (limit - at) / 2) { // each header takes at least two length bytes
            throw corrupt("header count " + headerCount + " cannot fit in the " + (limit - at)
                    + " bytes left in the entry");
        }
        Header[] headers = new Header[headerCount];
        for (int i = 0; i < headerCount; i++) {
            headers[i] = new Header(readString("header name", 2 + 2 * i), readString("header value", 3 + 2 * i));
        }
        int bodyLength = readLength("body");
        byte[] body = Arrays.copyOfRange(in, at, at + bodyLength);
        at += bodyLength;
        if (at != limit) {
            throw corrupt((limit - at) + " unexpected bytes after the body");
        }
        return new JournalEntry(position, timeMillis, method, target, List.of(headers), body, null,
                kind == KIND_REQUEST_WITH_OUTCOME);
    }

    private OutcomeRecord decodeOutcome(boolean withResponse) {
        long requestPosition = (long) LONG_BE.get(in, 2);
        if (requestPosition < 0 || requestPosition >= position) {
            throw corrupt("it is the outcome of position " + requestPosition + ", but an outcome follows its request");
        }
        at = FIXED_PREFIX_BYTES;
        int status = readVarint("status") - 1;
        if (at >= limit) {
            throw corrupt("flags run past the end of the entry");
        }
        int flags = in[at++] & 0xFF;
        if ((flags & ~FLAG_THREW) != 0) {
            throw corrupt(String.format("outcome flags %02x has bits this format does not define", flags));
        }
        boolean threw = (flags & FLAG_THREW) != 0;
        String exceptionClass = null;
        String message = null;
        long digest = 0;
        if (threw) {
            exceptionClass = readString("exception class");
            message = readString("exception message");
        } else {
            if (limit - at < 8) {
                throw corrupt("body digest runs past the end of the entry");
            }
            digest = (long) LONG_BE.get(in, at);
            at += 8;
        }
        int recordedLength = readLength("recorded");
        byte[] recorded = Arrays.copyOfRange(in, at, at + recordedLength);
        at += recordedLength;
        byte[] response = new byte[0];
        if (withResponse) {
            int responseLength = readLength("stored response");
            response = Arrays.copyOfRange(in, at, at + responseLength);
            at += responseLength;
        }
        if (at != limit) {
            throw corrupt((limit - at) + " unexpected bytes after the " + (withResponse
                    ? "stored response" : "recorded values"));
        }
        return new OutcomeRecord(position, requestPosition,
                Outcome.decoded(status, threw, exceptionClass, message, digest, recorded, response));
    }

    private String readString(String field) {
        int length = readLength(field);
        String s = new String(in, at, length, StandardCharsets.UTF_8);
        at += length;
        return s;
    }

    /**
     * A string of a request's fixed place ({@code slot}: method 0, target 1, then each header's name and value), the
     * same String as the last entry's when its bytes are the same. Journals repeat their methods, targets and most
     * headers, so a decoded entry mostly shares its strings with the one before (no copy, no garbage); a string of
     * more than {@link #REUSED_MAX} bytes, or of a slot past {@link #REUSED_SLOTS}, is always decoded afresh.
     */
    private String readString(String field, int slot) {
        if (slot >= REUSED_SLOTS) {
            return readString(field);
        }
        int length = readLength(field);
        byte[] last = lastBytes[slot];
        if (last != null && last.length == length && Arrays.equals(in, at, at + length, last, 0, length)) {
            at += length;
            return lastStrings[slot];
        }
        String s = new String(in, at, length, StandardCharsets.UTF_8);
        if (length <= REUSED_MAX) {
            lastBytes[slot] = Arrays.copyOfRange(in, at, at + length);
            lastStrings[slot] = s;
        }
        at += length;
        return s;
    }

    private int readLength(String field) {
        int length = readVarint(field + " length");
        if (length > limit - at) {
            throw corrupt(field + " length " + length + " exceeds the " + (limit - at)
                    + " bytes left in the entry");
        }
        return length;
    }

    private int readVarint(String field) {
        int value = 0;
        for (int shift = 0; ; shift += 7) {
            if (at >= limit) {
                throw corrupt(field + " runs past the end of the entry");
            }
            int b = in[at++] & 0xFF;
            if (shift == 28 && b > 0x07) { // the fifth byte may only carry bits 28..30
                throw corrupt(field + " is out of range");
            }
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
    }

    private JournalCorruptException corrupt(String problem) {
        return new JournalCorruptException(problem, position, file);
    }

    private UnsupportedJournalFormatException unsupported(String problem) {
        return new UnsupportedJournalFormatException("Journal entry at position " + position + " in " + file
                + " " + problem + ". It was written by a newer version of Reprise: run that version or a"
                + " later one on this data directory. Reprise does not guess at data in a format it does"
                + " not know.");
    }

    private void putVarint(int value) {
        ensure(5);
        byte[] b = buf;
        int p = pos;
        while ((value & ~0x7F) != 0) {
            b[p++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        b[p++] = (byte) value;
        pos = p;
    }

    /**
     * Writes a length-prefixed UTF-8 string without the intermediate array of
     * {@code String.getBytes}. An unpaired surrogate becomes {@code '?'}, as it does there.
     */
    private void putString(String s) {
        // Methods, targets and most header values are ASCII, where the UTF-8 length is the char
        // count: write it in one pass, and start over the general way at the first other char.
        int start = pos;
        int chars = s.length();
        putVarint(chars);
        ensure(chars);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                pos = start;
                putUtf8(s, chars);
                return;
            }
            b[p++] = (byte) c;
        }
        pos = p;
    }

    private void putUtf8(String s, int chars) {
        int length = utf8Length(s, chars);
        putVarint(length);
        ensure(length);
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[p++] = (byte) c;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    b[p++] = (byte) (0xF0 | (cp >> 18));
                    b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    b[p++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    b[p++] = '?';
                }
            } else {
                b[p++] = (byte) (0xE0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[p++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        pos = p;
    }

    private static int utf8Length(String s, int chars) {
        long length = chars;
        for (int i = 0; i < chars; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    length += 1;
                } else if (Character.isSurrogate(c)) {
                    if (Character.isHighSurrogate(c) && i + 1 < chars && Character.isLowSurrogate(s.charAt(i + 1))) {
                        length += 2; // two chars, four bytes
                        i++;
                    } // else a lone surrogate: one '?'
                } else {
                    length += 2;
                }
            }
        }
        return (int) Math.min(length, Integer.MAX_VALUE);
    }

    /** Makes room for {@code extra} more bytes plus the checksum, within the entry size limit. */
    private void ensure(int extra) {
        long needed = (long) pos + extra + CHECKSUM_BYTES;
        if (needed > buf.length) {
            if (needed > maxEntryBytes) {
                if (encodingOutcome) {
                    throw new JournalException("The outcome is too large to journal: its record needs more than "
                            + maxEntryBytes + " bytes, the most one journal entry can hold. Record fewer values"
                            + " per request.");
                }
                throw new JournalException("The request is too large to journal: its entry needs more than "
                        + maxEntryBytes + " bytes, the most one journal entry can hold. Limit the size of"
                        + " state-changing requests (for example a request body limit in the server).");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min((long) buf.length * 2, maxEntryBytes)));
        }
    }
}
