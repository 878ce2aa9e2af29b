package io.reprise.agent.adapter.jdkhttp;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import io.reprise.agent.idempotency.Answer;
import io.reprise.agent.idempotency.Idempotency;
import io.reprise.agent.spi.JournalGate;
import io.reprise.agent.writepath.JournalUnavailableException;
import io.reprise.agent.writepath.RequestLimits;
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
 * <p>Journaled request: read the body (outside the order) → {@link Idempotency#admit} (a repeat of an
 * Idempotency-Key or a refusal is answered here and goes no further) → write path: append, run the rest of the
 * filter chain and the handler against a {@link BufferedExchange} (an {@link HttpsExchangeView} of it over
 * HTTPS) → release the order → send the buffered
 * response. Other requests pass untouched (C3).
 */
final class JournalFilter extends Filter {

    private final JournalGate writePath;
    private final Idempotency idempotency;

    JournalFilter(JournalGate writePath, Idempotency idempotency) {
        this.writePath = writePath;
        this.idempotency = idempotency;
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
        String target = target(uri);
        List<Header> headers = headers(exchange.getRequestHeaders());
        String tooLarge = RequestLimits.headersTooLarge(method, target, headers);
        if (tooLarge != null) {
            refuse(exchange, RequestLimits.HEADERS_TOO_LARGE, tooLarge);
            return;
        }
        byte[] body = readBody(exchange, writePath.maxBody());
        if (body == null) {
            refuse(exchange, RequestLimits.BODY_TOO_LARGE, RequestLimits.bodyTooLarge(writePath.maxBody()));
            return;
        }
        BufferedExchange buffered = new BufferedExchange(exchange, body);
        HttpExchange handed = exchange instanceof HttpsExchange
                ? new HttpsExchangeView(buffered, ((HttpsExchange) exchange).getSSLSession())
                : buffered;
        // Nothing between the admission and the write path can fail: apply releases a key it took in flight.
        Idempotency.Admission admission = idempotency.admit(method, target, uri.getRawPath(), uri.getPath(), headers, body);
        if (admission.answer() != null) {
            send(exchange, admission.answer());
            return;
        }
        Idempotency keep = admission.ticket() == null ? null : idempotency;
        try {
            writePath.apply(method, target, headers, body, admission.ticket(), () -> {
                chain.doFilter(handed);
                return buffered.outcome(keep);
            });
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

    /**
     * The body, or null if it is longer than {@code max}: a declared length over it is refused before reading, a
     * chunked body once {@code max + 1} bytes arrived. The rest stays unread; when the exchange is closed the JDK
     * server drains a little of it (64 KiB, {@code sun.net.httpserver.drainAmount}) and closes the connection if more
     * is left.
     */
    static byte[] readBody(HttpExchange exchange, int max) throws IOException {
        long declared = -1;
        String header = exchange.getRequestHeaders().getFirst("Content-Length");
        if (header != null && exchange.getRequestHeaders().getFirst("Transfer-Encoding") == null) {
            try {
                declared = Long.parseLong(header.trim());
            } catch (NumberFormatException e) {
                // the JDK server has already refused a malformed length; read and let the limit decide
            }
        }
        return RequestLimits.readBody(exchange.getRequestBody(), declared, max);
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

    /** An answer made without the handler: a stored response of an Idempotency-Key, or a refusal of one. */
    static void send(HttpExchange exchange, Answer answer) throws IOException {
        Headers responseHeaders = exchange.getResponseHeaders();
        for (Header h : answer.headers()) {
            responseHeaders.add(h.name(), h.value());
        }
        byte[] body = answer.body();
        exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
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
