package io.reprise.agent.bridge;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import com.sun.net.httpserver.spi.HttpServerProvider;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * The JDK HTTP server's provider while the agent runs. The agent names this class in the system property
 * {@code com.sun.net.httpserver.HttpServerProvider}, which the JDK resolves through the system class loader,
 * so it must live in the visible part of the jar; it forwards every call to the adapter inside the agent's
 * own class loader.
 */
public final class RepriseHttpServerProvider extends HttpServerProvider {

    private static volatile HttpServerProvider target;

    /** Called once by the agent before it names this class in the system property. */
    public static void install(HttpServerProvider adapter) {
        target = adapter;
    }

    @Override
    public HttpServer createHttpServer(InetSocketAddress addr, int backlog) throws IOException {
        return target().createHttpServer(addr, backlog);
    }

    @Override
    public HttpsServer createHttpsServer(InetSocketAddress addr, int backlog) throws IOException {
        return target().createHttpsServer(addr, backlog);
    }

    private static HttpServerProvider target() {
        HttpServerProvider t = target;
        if (t == null) {
            throw new IllegalStateException("reprise: the agent's HTTP server adapter is not installed");
        }
        return t;
    }
}
