package io.reprise.agent.adapter.jdkhttp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;

/**
 * The address a server was asked to bind, held back until recovery is done.
 *
 * <p>Without the agent, {@code HttpServer.create(addr, backlog)} binds at once and reports a port in use
 * there. To keep that behaviour the address is probed when it is given (bound and released at once), so a
 * conflict still surfaces as a {@link java.net.BindException} at the same call; the real bind follows at
 * {@code start()}.
 */
final class DeferredBind {

    private InetSocketAddress address;
    private int backlog;

    private DeferredBind(InetSocketAddress address, int backlog) {
        this.address = address;
        this.backlog = backlog;
    }

    static DeferredBind probe(InetSocketAddress address, int backlog) throws IOException {
        check(address);
        return new DeferredBind(address, backlog);
    }

    synchronized void set(InetSocketAddress address, int backlog) throws IOException {
        if (this.address != null) {
            throw new java.net.BindException("HttpServer already bound to " + this.address);
        }
        check(address);
        this.address = address;
        this.backlog = backlog;
    }

    synchronized InetSocketAddress address() {
        return address;
    }

    synchronized int backlog() {
        return backlog;
    }

    private static void check(InetSocketAddress address) throws IOException {
        if (address == null || address.getPort() == 0) {
            return; // unbound, or an ephemeral port: nothing can conflict
        }
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.bind(address, 1);
        }
    }
}
