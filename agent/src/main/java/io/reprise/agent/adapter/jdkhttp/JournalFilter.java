package io.reprise.agent.adapter.jdkhttp;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
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
 * filter chain and the handler against a {@link BufferedExchange} (an {@link HttpsExchangeView} of it over
 * HTTPS) → release the order → send the buffered
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
        // The JDK server chooses the context on the decoded path, and handlers read it: that is the routed path.
        if (!writePath.journals(method, uri.getRawPath(), uri.getPath())) {
            chain.doFilter(exchange);
            return;
        }
        byte[] body = readBody(exchange, writePath.maxBody());
        if (body == null) {
            refuse(exchange, 413, "the request body is larger than reprise.journal.max-body (" + writePath.maxBody() + " bytes)");
            return;
        }
        BufferedExchange buffered = new BufferedExchange(exchange, body);
        HttpExchange handed = exchange instanceof HttpsExchange
                ? new HttpsExchangeView(buffered, ((HttpsExchange) exchange).getSSLSession())
                : buffered;
        try {
            writePath.apply(method, target(uri), headers(exchange.getRequestHeaders()), body, () -> chain.doFilter(handed));
        } catch (JournalUnavailableException e) {
            refuse(exchange, 503, e.getMessage());
            return;
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
        buffered.sendTo(exchange);
    }

    /** The body, or null if it is longer than {@code max} (then it is not read further). */
    static byte[] readBody(HttpExchange exchange, int max) throws IOException {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > max) {
                    return null;
                }
            } catch (NumberFormatException e) {
                // the JDK server has already refused a malformed length; read and let the limit decide
            }
        }
        byte[] body = exchange.getRequestBody().readNBytes(max + 1);
        return body.length > max ? null : body;
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

    private static void refuse(HttpExchange exchange, int status, String reason) throws IOException {
        byte[] text = ("reprise: request not applied: " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        if (status == 503) {
            exchange.getResponseHeaders().set("Retry-After", "1");
        }
        exchange.sendResponseHeaders(status, text.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(text);
        }
    }

    @Override
    public String description() {
        return "Reprise: journals state-changing requests before they are applied";
    }
}
