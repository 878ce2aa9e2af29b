package io.reprise.agent.adapter.jdkhttp;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import io.reprise.agent.writepath.JournalUnavailableException;
import io.reprise.agent.writepath.WritePath;
import io.reprise.journal.Header;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The first filter of every context: the live flow for the JDK HTTP server.
 *
 * <p>Journaled request: read the body (outside the order) → write path: append, run the rest of the
 * filter chain and the handler against a {@link BufferedExchange} → release the order → send the buffered
 * response. Other requests pass untouched (C3).
 */
final class JournalFilter extends Filter {

    private final WritePath writePath;

    JournalFilter(WritePath writePath) {
        this.writePath = writePath;
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        URI uri = exchange.getRequestURI();
        String method = exchange.getRequestMethod();
        String path = uri.getPath() == null ? uri.toString() : uri.getPath();
        if (!writePath.journals(method, path)) {
            chain.doFilter(exchange);
            return;
        }
        byte[] body = exchange.getRequestBody().readAllBytes();
        BufferedExchange buffered = new BufferedExchange(exchange, body);
        try {
            writePath.apply(method, target(uri), headers(exchange.getRequestHeaders()), body, () -> chain.doFilter(buffered));
        } catch (JournalUnavailableException e) {
            refuse(exchange, e.getMessage());
            return;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        buffered.sendTo(exchange);
    }

    /** The request target as received: raw path and raw query. */
    static String target(URI uri) {
        if (uri.getRawPath() == null) {
            return uri.toString();
        }
        return uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
    }

    static List<Header> headers(Headers headers) {
        List<Header> list = new ArrayList<>(headers.size() * 2);
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            for (String value : e.getValue()) {
                list.add(new Header(e.getKey(), value));
            }
        }
        return list;
    }

    private static void refuse(HttpExchange exchange, String reason) throws IOException {
        byte[] text = ("reprise: request not applied: " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.getResponseHeaders().set("Retry-After", "1");
        exchange.sendResponseHeaders(503, text.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(text);
        }
    }

    @Override
    public String description() {
        return "Reprise: journals state-changing requests before they are applied";
    }
}
