package io.reprise.agent.adapter.jdkhttp;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * What {@link DeferredBindHttpServer} and {@link DeferredBindHttpsServer} share: an unbound JDK server,
 * the address it will bind, and its contexts, each with a {@link JournalFilter} in front.
 */
final class DeferredBindServer {

    private final JdkHttpAdapter adapter;
    private final HttpServer delegate;
    private final DeferredBind bind;
    private final Contexts contexts = new Contexts();
    private final JournalFilter filter;
    private volatile boolean started;

    DeferredBindServer(JdkHttpAdapter adapter, HttpServer delegate, DeferredBind bind) {
        this.adapter = adapter;
        this.delegate = delegate;
        this.bind = bind;
        this.filter = new JournalFilter(adapter.context().journal(), adapter.context().idempotency());
        adapter.register(this);
    }

    Contexts contexts() {
        return contexts;
    }

    void bind(InetSocketAddress address, int backlog) throws IOException {
        if (started) {
            delegate.bind(address, backlog);
        } else {
            bind.set(address, backlog);
        }
    }

    /** Recovers (once per JVM), then binds and starts: the port opens only on a recovered state (C4). */
    void start() {
        adapter.recoverBeforeServing();
        InetSocketAddress address = bind.address();
        if (address != null) {
            try {
                delegate.bind(address, bind.backlog());
            } catch (IOException e) {
                throw new UncheckedIOException("reprise: binding " + address + " after recovery failed: " + e.getMessage(), e);
            }
        }
        delegate.start();
        started = true;
    }

    HttpContext createContext(String path, HttpHandler handler) {
        return install(delegate.createContext(path, handler));
    }

    HttpContext createContext(String path) {
        return install(delegate.createContext(path));
    }

    private HttpContext install(HttpContext context) {
        context.getFilters().add(0, filter);
        contexts.add(context);
        return context;
    }

    void removeContext(String path) {
        delegate.removeContext(path);
        contexts.remove(path);
    }

    void removeContext(HttpContext context) {
        delegate.removeContext(context);
        contexts.remove(context);
    }

    InetSocketAddress getAddress() {
        return started ? delegate.getAddress() : bind.address();
    }
}
