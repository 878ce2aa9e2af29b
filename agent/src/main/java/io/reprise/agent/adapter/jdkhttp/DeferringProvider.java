package io.reprise.agent.adapter.jdkhttp;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import com.sun.net.httpserver.spi.HttpServerProvider;
import java.io.IOException;
import java.net.InetSocketAddress;

/** Creates the application's servers unbound, wrapped so that they bind only after recovery. */
final class DeferringProvider extends HttpServerProvider {

    private final JdkHttpAdapter adapter;

    DeferringProvider(JdkHttpAdapter adapter) {
        this.adapter = adapter;
    }

    @Override
    public HttpServer createHttpServer(InetSocketAddress addr, int backlog) throws IOException {
        DeferredBind bind = DeferredBind.probe(addr, backlog);
        return new DeferredBindHttpServer(adapter, adapter.delegate().createHttpServer(null, backlog), bind);
    }

    @Override
    public HttpsServer createHttpsServer(InetSocketAddress addr, int backlog) throws IOException {
        DeferredBind bind = DeferredBind.probe(addr, backlog);
        return new DeferredBindHttpsServer(adapter, adapter.delegate().createHttpsServer(null, backlog), bind);
    }
}
