package io.reprise.agent.adapter.jdkhttp;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpPrincipal;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import javax.net.ssl.SSLSession;

/**
 * An {@link HttpsExchange} made of another exchange and a TLS session: what the handler of a request that came in
 * over HTTPS is given when Reprise hands it its own exchange ({@link BufferedExchange} live, {@link ReplayExchange}
 * on replay), so that a handler that casts to {@code HttpsExchange} keeps working. Everything but
 * {@link #getSSLSession()} is the delegate's; one class for both, since {@code HttpsExchange} is a class and a
 * buffered or replayed exchange cannot extend both it and its own base.
 */
final class HttpsExchangeView extends HttpsExchange {

    private final HttpExchange delegate;
    private final SSLSession session;

    /** @param session the live connection's session; null on replay, where there is no connection */
    HttpsExchangeView(HttpExchange delegate, SSLSession session) {
        this.delegate = delegate;
        this.session = session;
    }

    @Override public SSLSession getSSLSession() { return session; }

    @Override public Headers getRequestHeaders() { return delegate.getRequestHeaders(); }
    @Override public Headers getResponseHeaders() { return delegate.getResponseHeaders(); }
    @Override public URI getRequestURI() { return delegate.getRequestURI(); }
    @Override public String getRequestMethod() { return delegate.getRequestMethod(); }
    @Override public HttpContext getHttpContext() { return delegate.getHttpContext(); }
    @Override public void close() { delegate.close(); }
    @Override public InputStream getRequestBody() { return delegate.getRequestBody(); }
    @Override public OutputStream getResponseBody() { return delegate.getResponseBody(); }
    @Override public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
        delegate.sendResponseHeaders(rCode, responseLength);
    }
    @Override public InetSocketAddress getRemoteAddress() { return delegate.getRemoteAddress(); }
    @Override public int getResponseCode() { return delegate.getResponseCode(); }
    @Override public InetSocketAddress getLocalAddress() { return delegate.getLocalAddress(); }
    @Override public String getProtocol() { return delegate.getProtocol(); }
    @Override public Object getAttribute(String name) { return delegate.getAttribute(name); }
    @Override public void setAttribute(String name, Object value) { delegate.setAttribute(name, value); }
    @Override public void setStreams(InputStream i, OutputStream o) { delegate.setStreams(i, o); }
    @Override public HttpPrincipal getPrincipal() { return delegate.getPrincipal(); }
}
