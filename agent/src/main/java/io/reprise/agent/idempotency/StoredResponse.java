package io.reprise.agent.idempotency;

import io.reprise.journal.Header;
import io.reprise.journal.Outcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The response a request with an {@code Idempotency-Key} got, as kept for a retry of that key: the status, the
 * headers the application set and the body, or, when the body was larger than {@code reprise.idempotency.max-response},
 * only the status and the body's digest ({@link #kept()} false). Its {@link #encode() encoding} travels in the
 * request's outcome record ({@link Outcome#response()}), so that the key table can be rebuilt by replay.
 *
 * <p>Encoding, version 1: {@code byte 1, byte kept (0|1), int status, long bodyDigest, short header count, per header
 * UTF name and UTF value, int body length, body}.
 *
 * @param headers the response headers to send again, without those the server makes per response ({@link #DROPPED})
 */
public record StoredResponse(int status, List<Header> headers, byte[] body, boolean kept, long bodyDigest) {

    private static final int VERSION = 1;
    /** Response headers not kept: the server writes them for each response itself. */
    static final Set<String> DROPPED = Set.of("date", "content-length", "transfer-encoding", "connection", "keep-alive");

    private static final int MAX_HEADER_CHARS = 16 * 1024;

    public StoredResponse {
        headers = List.copyOf(headers);
    }

    /**
     * What to keep of a response: all of it if its body has at most {@code maxBody} bytes, else its status and digest.
     * Headers named in {@link #DROPPED} are left out, whatever their case, as is a header over 16 Ki chars.
     */
    public static StoredResponse of(int status, List<Header> headers, byte[] body, int length, int maxBody) {
        long digest = Outcome.digest(body, 0, length);
        if (length > maxBody) {
            return new StoredResponse(status, List.of(), new byte[0], false, digest);
        }
        List<Header> kept = new ArrayList<>(headers.size());
        for (Header h : headers) {
            // The encoding's strings hold at most 65535 bytes; a header that long is dropped rather than the response.
            if (!DROPPED.contains(h.name().toLowerCase(Locale.ROOT)) && h.name().length() + h.value().length() <= MAX_HEADER_CHARS) {
                kept.add(h);
            }
        }
        return new StoredResponse(status, kept, java.util.Arrays.copyOf(body, length), true, digest);
    }

    /** The bytes that stand for this response in an outcome record. */
    public byte[] encode() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + body.length);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeByte(kept ? 1 : 0);
            out.writeInt(status);
            out.writeLong(bodyDigest);
            out.writeShort(headers.size());
            for (Header h : headers) {
                out.writeUTF(h.name());
                out.writeUTF(h.value());
            }
            out.writeInt(body.length);
            out.write(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * Reads what {@link #encode} wrote.
     *
     * @throws IllegalArgumentException if the bytes are not a stored response this version can read
     */
    public static StoredResponse decode(byte[] encoded) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded))) {
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("stored response version " + version + " (this release reads "
                        + VERSION + ")");
            }
            boolean kept = in.readUnsignedByte() == 1;
            int status = in.readInt();
            long digest = in.readLong();
            int count = in.readUnsignedShort();
            List<Header> headers = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                headers.add(new Header(in.readUTF(), in.readUTF()));
            }
            int length = in.readInt();
            if (length < 0 || length > in.available()) {
                throw new IllegalArgumentException("stored response body length " + length + " exceeds the "
                        + in.available() + " bytes left");
            }
            byte[] body = in.readNBytes(length);
            if (in.available() != 0) {
                throw new IllegalArgumentException(in.available() + " unexpected bytes after the stored response");
            }
            return new StoredResponse(status, headers, body, kept, digest);
        } catch (IOException e) {
            throw new IllegalArgumentException("a stored response cut short: " + e, e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredResponse r && status == r.status && kept == r.kept && bodyDigest == r.bodyDigest
                && headers.equals(r.headers) && java.util.Arrays.equals(body, r.body);
    }

    @Override
    public int hashCode() {
        return (status * 31 + headers.hashCode()) * 31 + java.util.Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "StoredResponse[" + status + (kept ? ", " + headers.size() + " headers, " + body.length + " bytes"
                : ", not kept (body larger than reprise.idempotency.max-response)") + "]";
    }
}
