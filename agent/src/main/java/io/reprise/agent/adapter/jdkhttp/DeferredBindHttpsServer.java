package io.reprise.agent.adapter.jdkhttp;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/** An application's {@link HttpsServer}, binding its port only after recovery. See {@link DeferredBindServer}. */
final class DeferredBindHttpsServer extends HttpsServer {

    private final HttpsServer delegate;
    private final DeferredBindServer server;

    DeferredBindHttpsServer(JdkHttpAdapter adapter, HttpsServer delegate, DeferredBind bind) {
        this.delegate = delegate;
        this.server = new DeferredBindServer(adapter, delegate, bind);
    }

    @Override public void setHttpsConfigurator(HttpsConfigurator config) { delegate.setHttpsConfigurator(config); }
    @Override public HttpsConfigurator getHttpsConfigurator() { return delegate.getHttpsConfigurator(); }
    @Override public void bind(InetSocketAddress addr, int backlog) throws IOException { server.bind(addr, backlog); }
    @Override public void start() { server.start(); }
    @Override public void setExecutor(Executor executor) { delegate.setExecutor(executor); }
    @Override public Executor getExecutor() { return delegate.getExecutor(); }
    @Override public void stop(int delay) { delegate.stop(delay); }
    @Override public HttpContext createContext(String path, HttpHandler handler) { return server.createContext(path, handler); }
    @Override public HttpContext createContext(String path) { return server.createContext(path); }
    @Override public void removeContext(String path) { server.removeContext(path); }
    @Override public void removeContext(HttpContext context) { server.removeContext(context); }
    @Override public InetSocketAddress getAddress() { return server.getAddress(); }
}
