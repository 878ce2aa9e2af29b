package io.reprise.agent.writepath;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The paths of {@code reprise.journal.exclude}: requests under them are never journaled (and, with
 * {@link #requires}, those of {@code reprise.idempotency.required}). One matcher for every
 * adapter, so that a path is excluded on the JDK server exactly when it is on a servlet container.
 *
 * <p>A prefix matches whole path segments: {@code /health} excludes {@code /health}, {@code /health/} and
 * {@code /health/live}, not {@code /healthcare}. It is compared with the request's path decoded (percent-escapes
 * as UTF-8), which must be the path the application routes on. A request whose path is <em>ambiguous</em> is
 * never excluded; it is journaled, which costs one journal entry, while a wrongly excluded write would be lost.
 * Ambiguous means one of:
 * <ul>
 *   <li>the raw path has an encoded slash or backslash ({@code %2F}, {@code %5C}), a backslash, a path parameter
 *       ({@code ;}, also encoded as {@code %3B}), an empty segment ({@code //}), a {@code .} or {@code ..}
 *       segment, or an escaped dot ({@code %2E}) anywhere: servers and frameworks disagree on what these mean;</li>
 *   <li>its percent-encoding is invalid ({@code %zz}, a cut-off escape, bytes that are no UTF-8), or it decodes to a
 *       control character or {@code ?} / {@code #};</li>
 *   <li>the server routes the request on a path that is not the raw path decoded (the adapter passes that path
 *       as {@code routedPath}).</li>
 * </ul>
 * Prefixes themselves are decoded paths without any of these (checked by the configuration).
 */
public final class ExcludedPaths {

    private final List<String> prefixes;
    private final boolean all;

    /** @param prefixes decoded paths starting with {@code /}; a trailing {@code /} is ignored, {@code /} alone excludes every path */
    public ExcludedPaths(List<String> prefixes) {
        List<String> list = new ArrayList<>(prefixes.size());
        boolean everything = false;
        for (String p : prefixes) {
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("an excluded path must start with /: " + p);
            }
            String prefix = p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
            everything |= prefix.isEmpty();
            list.add(prefix);
        }
        this.prefixes = List.copyOf(list);
        this.all = everything;
    }

    /**
     * Whether the request with this raw path (as on the request line, percent-escapes kept) is excluded.
     *
     * @param rawPath the path as received, without the query
     * @param routedPath the decoded path the server hands the application and routes on, or null if the server
     *     routes on the raw path decoded
     */
    public boolean excludes(String rawPath, String routedPath) {
        return matches(rawPath, routedPath, false);
    }

    /**
     * Whether the prefixes cover this path for a rule whose safe side is to apply (unlike an exclusion's): an
     * ambiguous path is covered whenever there is any prefix. Used for {@code reprise.idempotency.required}, where a
     * path that might be under a prefix must carry its key.
     */
    public boolean requires(String rawPath, String routedPath) {
        return matches(rawPath, routedPath, true);
    }

    private boolean matches(String rawPath, String routedPath, boolean ambiguous) {
        if (prefixes.isEmpty()) {
            return false;
        }
        String path = rawPath == null ? null : decode(rawPath);
        if (path == null || (routedPath != null && !routedPath.equals(path))) {
            return ambiguous;
        }
        if (all) {
            return true;
        }
        for (String prefix : prefixes) {
            if (path.startsWith(prefix) && (path.length() == prefix.length() || path.charAt(prefix.length()) == '/')) {
                return true;
            }
        }
        return false;
    }

    /**
     * The raw path decoded, or null if it is ambiguous (see the class comment). Runs for every journaled-method
     * request; a path without escapes is checked in one pass and not copied.
     */
    static String decode(String raw) {
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            return null;
        }
        if (raw.indexOf('%') < 0) {
            return unambiguous(raw) ? raw : null;
        }
        ByteBuffer bytes = ByteBuffer.allocate(raw.length() * 3);
        int i = 0;
        while (i < raw.length()) {
            int escape = raw.indexOf('%', i);
            if (escape != i) {
                int end = escape < 0 ? raw.length() : escape;
                bytes.put(StandardCharsets.UTF_8.encode(CharBuffer.wrap(raw, i, end)));
                i = end;
                continue;
            }
            int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
            if (lo < 0) {
                return null;
            }
            int b = hi * 16 + lo;
            if (b == '/' || b == '\\' || b == ';' || b == '.') {
                return null; // an escaped separator or dot: its meaning depends on the server
            }
            bytes.put((byte) b);
            i += 3;
        }
        bytes.flip();
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        String decoded;
        try {
            decoded = utf8.decode(bytes).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        return unambiguous(decoded) ? decoded : null;
    }

    /** No backslash, {@code ;}, {@code ?}, {@code #}, control character, empty segment or dot segment. */
    private static boolean unambiguous(String path) {
        int segmentStart = 1;
        for (int i = 1; i <= path.length(); i++) {
            char c = i < path.length() ? path.charAt(i) : '/';
            if (c == '\\' || c == ';' || c == '?' || c == '#' || c < 0x20 || c == 0x7f) {
                return false;
            }
            if (c == '/') {
                int length = i - segmentStart;
                boolean last = i == path.length();
                if (length == 0 && !last) {
                    return false; // "//"; a trailing "/" is an empty last segment, which every server keeps
                }
                if ((length == 1 && path.charAt(segmentStart) == '.')
                        || (length == 2 && path.charAt(segmentStart) == '.' && path.charAt(segmentStart + 1) == '.')) {
                    return false;
                }
                segmentStart = i + 1;
            }
        }
        return true;
    }
}
