package io.reprise.agent.adapter.jdkhttp;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import io.reprise.agent.idempotency.Idempotency;
import io.reprise.journal.Outcome;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;

/**
 * The exchange a journaled request's handler sees. The request body was already read (before the order
 * was taken); the response status and body are kept in memory and sent by {@link #sendTo} after the order
 * is released, so a client that does not read its response cannot hold up other writers (C2). Everything
 * else is the live exchange's.
 */
final class BufferedExchange extends HttpExchange {

    private final HttpExchange live;
    private final DigestBuffer buffer = new DigestBuffer();
    private InputStream requestBody;
    private OutputStream responseBody = buffer;
    private int status = -1;
    private long declaredLength;

    BufferedExchange(HttpExchange live, byte[] body) {
        this.live = live;
        this.requestBody = new ByteArrayInputStream(body);
    }

    /**
     * What the handler answered: the status it sent ({@link Outcome#NO_STATUS} if none) and a digest of the body.
     * Streams a filter wrapped around the buffer are finished first, so the digest covers the bytes that are sent.
     *
     * @param keep for the first request of an Idempotency-Key, where its response is kept; else null
     */
    Outcome outcome(Idempotency keep) throws IOException {
        if (status >= 0) {
            responseBody.close();
        }
        return buffer.outcome(status, live.getResponseHeaders(), keep);
    }

    /** Sends the buffered response on the live exchange; a no-op if the handler sent none. */
    void sendTo(HttpExchange exchange) throws IOException {
        if (status < 0) {
            return;
        }
        responseBody.close(); // finishes streams a filter may have wrapped around the buffer
        byte[] bytes = buffer.toByteArray();
        exchange.sendResponseHeaders(status, declaredLength == -1 || bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0 && declaredLength != -1) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    @Override
    public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
        if (status >= 0) {
            throw new IOException("headers already sent");
        }
        status = rCode;
        declaredLength = responseLength;
    }

    @Override public InputStream getRequestBody() { return requestBody; }
    @Override public OutputStream getResponseBody() { return responseBody; }
    @Override public int getResponseCode() { return status; }

    @Override
    public void setStreams(InputStream i, OutputStream o) {
        if (i != null) {
            requestBody = i;
        }
        if (o != null) {
            responseBody = o;
        }
    }

    @Override
    public void close() {
        try {
            responseBody.close();
        } catch (IOException ignored) {
            // an in-memory buffer, or a filter's stream around it, has nothing to fail on
        }
    }

    @Override public Headers getRequestHeaders() { return live.getRequestHeaders(); }
    @Override public Headers getResponseHeaders() { return live.getResponseHeaders(); }
    @Override public URI getRequestURI() { return live.getRequestURI(); }
    @Override public String getRequestMethod() { return live.getRequestMethod(); }
    @Override public HttpContext getHttpContext() { return live.getHttpContext(); }
    @Override public InetSocketAddress getRemoteAddress() { return live.getRemoteAddress(); }
    @Override public InetSocketAddress getLocalAddress() { return live.getLocalAddress(); }
    @Override public String getProtocol() { return live.getProtocol(); }
    @Override public Object getAttribute(String name) { return live.getAttribute(name); }
    @Override public void setAttribute(String name, Object value) { live.setAttribute(name, value); }
    @Override public HttpPrincipal getPrincipal() { return live.getPrincipal(); }

    /** A byte buffer that digests its contents in place, without the copy {@code toByteArray} makes. */
    static final class DigestBuffer extends ByteArrayOutputStream {
        long digest() {
            return Outcome.digest(buf, 0, count);
        }

        /**
         * The outcome of a response with this status (negative: none sent) and this body; with {@code keep}, the
         * response itself too, as an Idempotency-Key keeps it.
         */
        Outcome outcome(int status, Headers headers, Idempotency keep) {
            Outcome outcome = Outcome.answered(status < 0 ? Outcome.NO_STATUS : status, digest());
            if (keep == null || status < 0) {
                return outcome;
            }
            return outcome.withResponse(keep.capture(status, JournalFilter.headers(headers), buf, count));
        }
    }
}
