package io.reprise.bench.load;

import io.reprise.bench.proc.Commands;
import io.reprise.bench.proc.Ports;
import io.reprise.bench.proc.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A throwaway redis-server on loopback with the append-only file on, in a directory of the work area. */
final class Redis implements AutoCloseable {

    private final Service server;
    private final int port;

    private Redis(Service server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Why Redis scenarios cannot run here, or null if they can. */
    static String unavailableReason() {
        return Commands.which("redis-server") == null
                ? "redis-server is not installed (Debian package redis-server; bench/run.sh installs it when run as root)"
                : null;
    }

    static List<String> command(String port, String dir, String appendfsync) {
        return List.of("redis-server", "--port", port, "--bind", "127.0.0.1", "--protected-mode", "no",
                "--dir", dir, "--appendonly", "yes", "--appendfsync", appendfsync, "--save", "", "--daemonize", "no");
    }

    static Redis start(Path dir, String appendfsync, Path log) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int port = Ports.free();
        Service server = Service.start("redis-server", command(Integer.toString(port), dir.toString(), appendfsync), log);
        try {
            server.awaitPort(port, Duration.ofSeconds(30));
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.kill();
            throw e;
        }
        return new Redis(server, port);
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        server.stop(Duration.ofSeconds(30));
    }
}
