package io.reprise.agent.idempotency;

import io.reprise.journal.Header;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A response Reprise gives for a request with an {@code Idempotency-Key} without running its handler: the stored
 * response of the first request with that key ({@code Idempotent-Replayed: true}), or a refusal as problem details
 * (RFC 9457, {@code application/problem+json}). Nothing is journaled or applied for it. Adapters send it as is.
 */
public record Answer(int status, List<Header> headers, byte[] body) {

    /** The header on a response that was stored for an earlier request with the same key. */
    public static final String REPLAYED = "Idempotent-Replayed";

    /** The problem types, under this URN prefix, that {@code docs/guarantees.md} lists. */
    static final String TYPE_PREFIX = "urn:reprise:problem:idempotency-key:";

    public Answer {
        headers = List.copyOf(headers);
    }

    /** The stored response again, marked as a repeat. */
    static Answer repeat(StoredResponse stored) {
        List<Header> headers = new ArrayList<>(stored.headers().size() + 1);
        headers.addAll(stored.headers());
        headers.add(new Header(REPLAYED, "true"));
        return new Answer(stored.status(), headers, stored.body());
    }

    /**
     * A problem details answer.
     *
     * @param type   the last part of the problem type, e.g. {@code in-flight}
     * @param title  a short, fixed summary of the problem type
     * @param detail what happened to this request; fixed text, never the key or anything else of the request
     */
    static Answer problem(int status, String type, String title, String detail) {
        String json = "{\"type\":\"" + TYPE_PREFIX + type + "\",\"title\":\"" + escape(title) + "\",\"status\":" + status
                + ",\"detail\":\"" + escape(detail) + "\"}\n";
        return new Answer(status, List.of(new Header("Content-Type", "application/problem+json")),
                json.getBytes(StandardCharsets.UTF_8));
    }

    private static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** The first value of header {@code name} (any case), or null. */
    public String header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }
}
