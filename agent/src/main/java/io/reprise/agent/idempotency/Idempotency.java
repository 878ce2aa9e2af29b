package io.reprise.agent.idempotency;

import io.reprise.agent.writepath.ExcludedPaths;
import io.reprise.agent.writepath.WritePath;
import io.reprise.journal.Header;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.Outcome;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;

/**
 * Exactly once for requests with an {@code Idempotency-Key} (draft-ietf-httpapi-idempotency-key-header): the first
 * journaled request with a key runs and its response is kept; a later request with the same key and the same
 * fingerprint (method, target, {@code Authorization}, body: {@link #fingerprint}) gets that response back, with {@code Idempotent-Replayed: true},
 * without running its handler, live and after any restart. The draft's refusals, as problem details: the key of a
 * request still in flight, {@code 409}; the key with another fingerprint, {@code 422}; more than one key field, or a
 * malformed one, {@code 400}; no key on a path of {@code reprise.idempotency.required}, {@code 400}. Nothing that is
 * answered here is journaled or changes any state.
 *
 * <p>One instance serves every adapter. The flow an adapter follows for a journaled request, once it has read the
 * body: {@link #admit}; an {@link Admission#answer()} is sent as is; otherwise the request goes through
 * {@link WritePath#apply} with the admission's {@link Admission#ticket() ticket} (null without a key), and the
 * adapter attaches the response it captured ({@link #capture}) to the outcome it returns. Replay puts every keyed entry
 * into the table again ({@link #replayed}), from the response its outcome record stored.
 */
public final class Idempotency {

    /** The request header. */
    public static final String HEADER = "Idempotency-Key";
    /** The longest key accepted, in chars (as Stripe's); a longer one is a {@code 400}. */
    public static final int MAX_KEY_CHARS = 255;
    /** What the free-space gate reserves for a stored response's headers besides its body. */
    static final int HEADERS_RESERVE = 64 * 1024;

    private static final Logger LOG = System.getLogger("io.reprise.idempotency");
    private static final Admission UNKEYED = new Admission(null, null);

    private final boolean enabled;
    private final ExcludedPaths required;
    private final int maxResponse;
    private final KeyTable table;

    /**
     * @param enabled     {@code reprise.idempotency}; when false, keys are ignored: every request runs
     * @param required    {@code reprise.idempotency.required}: path prefixes (whole segments) where a journaled request
     *                    without a key is refused
     * @param maxResponse {@code reprise.idempotency.max-response}: the largest response body kept for a retry
     */
    public Idempotency(boolean enabled, List<String> required, Duration ttl, int maxKeys, long maxMemory, int maxResponse) {
        this.enabled = enabled;
        this.required = new ExcludedPaths(required);
        this.maxResponse = maxResponse;
        this.table = new KeyTable(ttl.toMillis(), maxKeys, maxMemory);
    }

    /** Keys ignored: every request runs, none is refused. */
    public static Idempotency disabled() {
        return new Idempotency(false, List.of(), Duration.ofHours(24), 1, 1, 0);
    }

    public boolean enabled() {
        return enabled;
    }

    public KeyTable table() {
        return table;
    }

    /** What to do with a journaled request: send {@link #answer()}, or apply it with {@link #ticket()}. */
    public record Admission(Answer answer, Ticket ticket) {
    }

    /**
     * Decides on a journaled request whose body has been read, before it reaches the write path. A key found new is
     * in flight from here until the ticket is released; the caller must apply the request with the ticket (the
     * write path releases it) or, if it does not, release it itself.
     *
     * @param rawPath    the path as received, for {@code reprise.idempotency.required}
     * @param routedPath the decoded path the server routes on, or null if that is the raw path decoded
     */
    public Admission admit(String method, String target, String rawPath, String routedPath, List<Header> headers,
                           byte[] body) {
        if (!enabled) {
            return UNKEYED;
        }
        String key;
        try {
            key = keyOf(headers);
        } catch (IllegalArgumentException e) {
            return new Admission(Answer.problem(400, "malformed", "Bad Idempotency-Key", e.getMessage()), null);
        }
        if (key == null) {
            if (required.requires(rawPath, routedPath)) {
                return new Admission(Answer.problem(400, "missing", "Idempotency-Key required",
                        "this path requires an Idempotency-Key header on state-changing requests"
                                + " (reprise.idempotency.required); the request was not applied"), null);
            }
            return UNKEYED;
        }
        long[] fingerprint = fingerprint(method, target, headers, body);
        KeyTable.Lookup found = table.begin(key, fingerprint[0], fingerprint[1], System.currentTimeMillis());
        switch (found.found()) {
            case NEW:
                return new Admission(null, new Ticket(key, fingerprint[0], fingerprint[1]));
            case IN_FLIGHT:
                return new Admission(Answer.problem(409, "in-flight", "Request in progress",
                        "a request with this Idempotency-Key is still being processed; retry once it has been answered"),
                        null);
            case MISMATCH:
                return new Admission(Answer.problem(422, "mismatch", "Idempotency-Key reused",
                        "this Idempotency-Key was used by a request with another method, target or body;"
                                + " use a new key for a new request"), null);
            default:
                StoredResponse stored = found.response();
                if (!stored.kept()) {
                    return new Admission(Answer.problem(409, "response-not-kept", "Response not kept",
                            "the request with this Idempotency-Key was applied (status " + stored.status()
                                    + "), but its response was larger than reprise.idempotency.max-response and was not"
                                    + " kept, so it cannot be sent again"), null);
                }
                return new Admission(Answer.repeat(stored), null);
        }
    }

    /**
     * The response of a keyed request as its outcome record keeps it ({@link Outcome#withResponse}): all of it when its
     * body has at most {@code reprise.idempotency.max-response} bytes, else its status and digest.
     */
    public byte[] capture(int status, List<Header> responseHeaders, byte[] body, int length) {
        return StoredResponse.of(status, responseHeaders, body, length, maxResponse).encode();
    }

    /** Whether a journaled request with these headers has its response kept (it carries one well-formed key). */
    public boolean keyed(List<Header> headers) {
        return enabled && keyOrNull(headers) != null;
    }

    /** The request's key, or null if it has none or a malformed one (a request refused live, never journaled). */
    private static String keyOrNull(List<Header> headers) {
        try {
            return keyOf(headers);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Recovery replayed {@code entry} (a request, not an agent record): a keyed one enters the table, with the
     * response its outcome record stored (or, when the process died before its outcome was journaled, the one replay
     * produced: {@code outcome} is then the replay's).
     */
    public void replayed(JournalEntry entry, Outcome outcome) {
        String key = enabled ? keyOrNull(entry.headers()) : null;
        if (key == null) {
            return;
        }
        long[] fingerprint = fingerprint(entry.method(), entry.target(), entry.headers(), entry.body());
        table.put(key, entry(fingerprint[0], fingerprint[1], entry.position(), entry.timeMillis(), outcome, true));
    }

    /**
     * The table's entry for a key's first request: its response as the outcome record holds it, when it is readable
     * ({@code check}: read from a journal, perhaps written by another release).
     */
    private static KeyTable.Entry entry(long high, long low, long position, long timeMillis, Outcome outcome,
                                        boolean check) {
        byte[] stored = outcome.response();
        if (stored.length > 0 && (!check || readable(stored))) {
            return new KeyTable.Entry(high, low, position, timeMillis, stored);
        }
        return new KeyTable.Entry(high, low, position, timeMillis, responseOf(outcome, position));
    }

    private static boolean readable(byte[] stored) {
        try {
            StoredResponse.decode(stored);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The response to keep for a request that answered {@code outcome}. */
    static StoredResponse responseOf(Outcome outcome, long position) {
        if (outcome.response().length > 0) {
            try {
                return StoredResponse.decode(outcome.response());
            } catch (IllegalArgumentException e) {
                LOG.log(Level.WARNING, "reprise: the stored response of journal position " + position
                        + " cannot be read (" + e.getMessage() + "); a retry of its Idempotency-Key gets 409");
            }
        }
        if (outcome.threw()) {
            Answer failed = Answer.problem(500, "handler-failed", "The request failed",
                    "the first request with this Idempotency-Key failed in the application (" + outcome.exceptionClass()
                            + "); it is not run again for the same key");
            return new StoredResponse(500, failed.headers(), failed.body(), true,
                    Outcome.digest(failed.body(), 0, failed.body().length));
        }
        return new StoredResponse(outcome.status(), List.of(), new byte[0], false, outcome.bodyDigest());
    }

    /**
     * The key of a request, or null if it has none.
     *
     * @throws IllegalArgumentException saying why, if it has more than one key field, a list of keys, or a key that
     *     is empty, longer than {@value #MAX_KEY_CHARS} chars or not visible ASCII
     */
    static String keyOf(List<Header> headers) {
        String value = null;
        for (int i = 0, n = headers.size(); i < n; i++) {
            Header h = headers.get(i);
            if (h.name().equalsIgnoreCase(HEADER)) {
                if (value != null) {
                    throw new IllegalArgumentException("the request has more than one Idempotency-Key field;"
                            + " it was not applied");
                }
                value = h.value();
            }
        }
        if (value == null) {
            return null;
        }
        String key = value.trim();
        if (key.length() >= 2 && key.charAt(0) == '"' && key.charAt(key.length() - 1) == '"') {
            key = unquote(key);
        } else if (key.indexOf(',') >= 0) {
            throw new IllegalArgumentException("the Idempotency-Key field holds a list; send exactly one key;"
                    + " the request was not applied");
        }
        if (key.isEmpty() || key.length() > MAX_KEY_CHARS) {
            throw new IllegalArgumentException("an Idempotency-Key is 1 to " + MAX_KEY_CHARS + " characters;"
                    + " the request was not applied");
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("an Idempotency-Key is printable ASCII;"
                        + " the request was not applied");
            }
        }
        return key;
    }

    /** An RFC 8941 sf-string: {@code "..."} with {@code \"} and {@code \\} escapes. */
    private static String unquote(String quoted) {
        StringBuilder key = new StringBuilder(quoted.length());
        for (int i = 1; i < quoted.length() - 1; i++) {
            char c = quoted.charAt(i);
            if (c == '\\') {
                if (i + 1 >= quoted.length() - 1) {
                    throw new IllegalArgumentException("the Idempotency-Key string ends in a lone backslash;"
                            + " the request was not applied");
                }
                c = quoted.charAt(++i);
            } else if (c == '"') {
                throw new IllegalArgumentException("the Idempotency-Key field holds more than one string;"
                        + " the request was not applied");
            }
            key.append(c);
        }
        return key.toString();
    }

    /**
     * The first 128 bits of SHA-256 over method, target, the {@code Authorization} fields and body, each
     * length-prefixed. A repeat is answered before the application's own authentication runs, so the credentials are
     * part of the fingerprint: the same key and body with other credentials is a {@code 422}, never the stored answer.
     */
    static long[] fingerprint(String method, String target, List<Header> headers, byte[] body) {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        update(sha, method.getBytes(StandardCharsets.UTF_8));
        update(sha, target.getBytes(StandardCharsets.UTF_8));
        for (int i = 0, n = headers.size(); i < n; i++) {
            if (headers.get(i).name().equalsIgnoreCase("Authorization")) {
                update(sha, headers.get(i).value().getBytes(StandardCharsets.UTF_8));
            }
        }
        update(sha, body);
        ByteBuffer digest = ByteBuffer.wrap(sha.digest());
        return new long[] {digest.getLong(), digest.getLong()};
    }

    private static void update(MessageDigest sha, byte[] bytes) {
        sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        sha.update(bytes);
    }

    /**
     * The first request of a key, from {@link #admit} until its response is released. The write path calls
     * {@link #applied} under the order, right after the request's outcome was journaled, and {@link #release} once
     * the response may go out (or the request was refused).
     */
    public final class Ticket implements WritePath.Keyed {

        private final String key;
        private final long high;
        private final long low;

        private Ticket(String key, long high, long low) {
            this.key = key;
            this.high = high;
            this.low = low;
        }

        @Override
        public long reserve() {
            return (long) maxResponse + HEADERS_RESERVE;
        }

        @Override
        public void applied(long requestPosition, long timeMillis, Outcome outcome) {
            table.put(key, entry(high, low, requestPosition, timeMillis, outcome, false)); // bytes capture() just made
        }

        @Override
        public void release() {
            table.release(key);
        }
    }
}
