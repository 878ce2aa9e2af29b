package io.reprise.agent.adapter.jdkhttp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * The address a server was asked to bind, held back until recovery is done.
 *
 * <p>Without the agent, {@code HttpServer.create(addr, backlog)} binds at once and reports a port in use
 * there. To keep that behaviour the address is probed when it is given, so a conflict still surfaces as a
 * {@link java.net.BindException} at the same call; the real bind follows at {@code start()}. The probe binds
 * a socket that never listens: a listening probe would accept a connection for a moment and reset it, and
 * no client may reach the port before recovery is done (C4).
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
        try (Socket probe = new Socket()) {
            // As the server socket will: reuse the address of connections in TIME_WAIT. A listening socket
            // on the port still makes the bind fail.
            probe.setReuseAddress(true);
            probe.bind(address);
        }
    }
}
