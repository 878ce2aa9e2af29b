package io.reprise.agent.adapter.servlet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parameters of an {@code application/x-www-form-urlencoded} body, decoded the way servlet containers do.
 *
 * <p>A journaled request's body is read before the application runs, so the container can no longer parse it
 * into parameters; the request the application sees parses it with this class instead, live and on replay
 * alike, so both see the same parameters.
 */
public final class FormBody {

    private FormBody() {
    }

    /** Whether {@code contentType} is {@code application/x-www-form-urlencoded}, parameters ignored. */
    public static boolean isForm(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return type.equals("application/x-www-form-urlencoded");
    }

    /**
     * The container's parameters (from the query string) followed by those of {@code body}: query string values
     * come first for a name that has both, as the servlet specification says. Pairs that do not decode are
     * skipped, as Tomcat and Jetty skip them.
     */
    public static Map<String, String[]> merge(Map<String, String[]> query, byte[] body, Charset charset) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (Map.Entry<String, String[]> e : query.entrySet()) {
            values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(List.of(e.getValue()));
        }
        int start = 0;
        for (int i = 0; i <= body.length; i++) {
            if (i == body.length || body[i] == '&') {
                if (i > start) {
                    addPair(values, body, start, i, charset);
                }
                start = i + 1;
            }
        }
        Map<String, String[]> result = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : values.entrySet()) {
            result.put(e.getKey(), e.getValue().toArray(new String[0]));
        }
        return Collections.unmodifiableMap(result);
    }

    private static void addPair(Map<String, List<String>> values, byte[] body, int from, int to, Charset charset) {
        int eq = from;
        while (eq < to && body[eq] != '=') {
            eq++;
        }
        String name = decode(body, from, eq, charset);
        String value = eq < to ? decode(body, eq + 1, to, charset) : "";
        if (name == null || value == null || name.isEmpty()) {
            return;
        }
        values.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
    }

    /** Percent-decodes bytes {@code from..to}, {@code +} as space; null if an escape is malformed. */
    static String decode(byte[] bytes, int from, int to, Charset charset) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b == '+') {
                out.write(' ');
            } else if (b == '%') {
                if (i + 2 >= to) {
                    return null;
                }
                int hi = Character.digit(bytes[i + 1], 16);
                int lo = Character.digit(bytes[i + 2], 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(b);
            }
        }
        return out.toString(charset);
    }
}
