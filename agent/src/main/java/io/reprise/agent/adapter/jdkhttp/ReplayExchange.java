package io.reprise.agent.adapter.jdkhttp;

import io.reprise.journal.Outcome;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpsServer;
import io.reprise.agent.idempotency.Idempotency;
import io.reprise.journal.Header;
import io.reprise.agent.bridge.Determinism;
import io.reprise.agent.bridge.Tape;
import io.reprise.journal.JournalEntry;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A journaled request played again in-process: the same method, target, headers and body, through the
 * context's filters (all but Reprise's own) and handler. The response is discarded; its status is kept.
 *
 * <p>Not reproduced: the client's address ({@link #getRemoteAddress()} is loopback, port 0), the
 * authenticated principal of an {@code Authenticator} (null) and, for a context of an {@code HttpsServer}, the TLS
 * session: the handler gets an {@link HttpsExchangeView} whose {@code getSSLSession()} is null. See docs/servers.md.
 */
final class ReplayExchange extends HttpExchange {

    private final HttpContext context;
    private final String method;
    private final URI uri;
    private final List<Header> journaledHeaders;
    private Headers requestHeaders; // made on the first getRequestHeaders: normalising every name costs
    private final Headers responseHeaders = new Headers();
    private Map<String, Object> attributes; // made on the first setAttribute: few handlers use them
    private InputStream requestBody;
    private final BufferedExchange.DigestBuffer body = new BufferedExchange.DigestBuffer();
    private OutputStream responseBody = body; // one per exchange: handlers close it
    private int status = -1;

    private ReplayExchange(JournalEntry entry, HttpContext context, URI uri) {
        this.context = context;
        this.method = entry.method();
        this.uri = uri;
        this.journaledHeaders = entry.headers();
        this.requestBody = new ByteArrayInputStream(entry.body());
    }

    /**
     * Replays {@code entry} through {@code context} and returns what the handler answered, computed as
     * {@link BufferedExchange#outcome} computes it live; an exception of the filters or the handler is the outcome
     * too ({@link Outcome#threw}), not a failure of the replay. For a keyed entry without a journaled outcome, the
     * response is attached as {@link BufferedExchange#outcome} keeps it live.
     */
    static Outcome replay(JournalEntry entry, ReplayRoutes.Route route, Idempotency idempotency) throws Exception {
        HttpContext context = route.context();
        HttpHandler handler = context.getHandler();
        if (handler == null) {
            throw new IllegalStateException("context " + context.getPath() + " has no handler");
        }
        ReplayExchange exchange = new ReplayExchange(entry, context, route.uri());
        HttpExchange handed = context.getServer() instanceof HttpsServer ? new HttpsExchangeView(exchange, null) : exchange;
        Tape outer = Determinism.begin(Determinism.takeArmed()); // the values recorded live, if any
        try {
            new Filter.Chain(route.filters(), handler).doFilter(handed);
            if (exchange.status >= 0) {
                exchange.responseBody.close();
            }
        } catch (Exception | Error e) {
            return Outcome.threw(e.getClass().getName(), e.getMessage());
        } finally {
            Determinism.end(outer);
        }
        // An entry whose outcome never made it to the journal gives its key the response replay makes: keep it.
        Idempotency keep = entry.outcome() == null && idempotency.keyed(entry.headers()) ? idempotency : null;
        return exchange.body.outcome(exchange.status, exchange.responseHeaders, keep);
    }

    @Override
    public Headers getRequestHeaders() {
        if (requestHeaders == null) {
            Headers headers = new Headers();
            for (Header h : journaledHeaders) {
                headers.add(h.name(), h.value());
            }
            requestHeaders = headers;
        }
        return requestHeaders;
    }

    @Override public Headers getResponseHeaders() { return responseHeaders; }
    @Override public URI getRequestURI() { return uri; }
    @Override public String getRequestMethod() { return method; }
    @Override public HttpContext getHttpContext() { return context; }
    @Override public void close() { }
    @Override public InputStream getRequestBody() { return requestBody; }
    @Override public OutputStream getResponseBody() { return responseBody; }
    @Override public void sendResponseHeaders(int rCode, long responseLength) { status = rCode; }
    @Override public InetSocketAddress getRemoteAddress() { return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0); }
    @Override public int getResponseCode() { return status; }
    @Override public InetSocketAddress getLocalAddress() { return context.getServer().getAddress(); }
    @Override public String getProtocol() { return "HTTP/1.1"; }
    @Override public Object getAttribute(String name) { return attributes == null ? null : attributes.get(name); }

    @Override
    public void setAttribute(String name, Object value) {
        if (attributes == null) {
            attributes = new HashMap<>();
        }
        attributes.put(name, value);
    }
    @Override public HttpPrincipal getPrincipal() { return null; }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        if (i != null) {
            requestBody = i;
        }
        if (o != null) {
            responseBody = o;
        }
    }
}
