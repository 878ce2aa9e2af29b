package io.reprise.bench.proc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A process the harness started (a service JVM, redis-server): its command, its log file, and the time from its
 * start to its port accepting a connection. Ended only through its own {@link Process} handle, never by name.
 */
public final class Service implements AutoCloseable {

    /**
     * Every process started and not yet ended. If the harness itself is interrupted (Ctrl-C, a CI time-out) a
     * shutdown hook kills them, so no service, Redis or JMH fork outlives it and holds a port or a data directory.
     */
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (Process p : LIVE) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }, "bench-cleanup"));
    }

    private final String name;
    private final List<String> command;
    private final Path log;
    private final Process process;
    private final long startedNanos;

    private Service(String name, List<String> command, Path log, Process process, long startedNanos) {
        this.name = name;
        this.command = command;
        this.log = log;
        this.process = process;
        this.startedNanos = startedNanos;
    }

    /** Starts {@code command} with stdout and stderr going to {@code log}. */
    public static Service start(String name, List<String> command, Path log) throws IOException {
        return start(name, command, log, Map.of());
    }

    /** Starts {@code command} with extra environment variables. */
    public static Service start(String name, List<String> command, Path log, Map<String, String> environment)
            throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        long started = System.nanoTime();
        Process process = builder.start();
        LIVE.add(process);
        process.onExit().thenRun(() -> LIVE.remove(process));
        return new Service(name, List.copyOf(command), log, process, started);
    }

    /**
     * Waits until {@code port} on 127.0.0.1 accepts a TCP connection and returns the time since the process was
     * started, in milliseconds. For servers that do not speak HTTP (redis-server); HTTP services use
     * {@link #awaitHttp}.
     *
     * @throws ExitedException if the process ends first
     */
    public double awaitPort(int port, Duration timeout) throws IOException, InterruptedException {
        return await(port, timeout, false);
    }

    /**
     * Waits until {@code port} accepts a connection that is then served, and returns the time from the process
     * start to that connection being accepted, in milliseconds.
     *
     * <p>A connection that is accepted and then dropped without an answer does not count: the agent checks at
     * {@code HttpServer.create} that the address is free by binding it for an instant (bind and listen, then
     * close), long before recovery is done, and a poll that lands in that instant is accepted by the kernel and
     * then reset. So each accepted connection sends {@code GET /} and must get an HTTP status line back (404 from
     * the JDK server itself; no handler runs).
     *
     * @throws ExitedException if the process ends first
     */
    public double awaitHttp(int port, Duration timeout) throws IOException, InterruptedException {
        return await(port, timeout, true);
    }

    private double await(int port, Duration timeout, boolean http) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new ExitedException(name, process.exitValue(), log);
            }
            try (Socket s = new Socket()) {
                s.setTcpNoDelay(true);
                s.connect(new InetSocketAddress("127.0.0.1", port), 100);
                long accepted = System.nanoTime();
                if (!http || answers(s)) {
                    return (accepted - startedNanos) / 1e6;
                }
            } catch (IOException notYet) {
                // refused, or closed before an answer: not open yet
            }
            Thread.sleep(2);
        }
        throw new IOException(name + " did not open port " + port + " within " + timeout.toSeconds() + " s; see " + log);
    }

    private static boolean answers(Socket s) throws IOException {
        s.setSoTimeout(60_000);
        s.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        byte[] head = new byte[7];
        int n = 0;
        while (n < head.length) {
            int r = s.getInputStream().read(head, n, head.length - n);
            if (r < 0) {
                return false;
            }
            n += r;
        }
        return new String(head, java.nio.charset.StandardCharsets.US_ASCII).equals("HTTP/1.");
    }

    /** SIGTERM, then SIGKILL if it has not ended within {@code grace}. */
    public void stop(Duration grace) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    /** Waits for the process to end by itself and returns its exit status. */
    public int waitFor() throws InterruptedException {
        return process.waitFor();
    }

    /** SIGKILL: no shutdown hook runs (no final snapshot). */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    public Path logFile() {
        return log;
    }

    public List<String> command() {
        return command;
    }

    public long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        stop(Duration.ofSeconds(30));
    }

    /** The process ended before its port opened. */
    public static final class ExitedException extends IOException {
        private final int exitCode;
        private final Path log;

        ExitedException(String name, int exitCode, Path log) {
            super(name + " exited with status " + exitCode + " before its port opened; see " + log);
            this.exitCode = exitCode;
            this.log = log;
        }

        public int exitCode() {
            return exitCode;
        }

        public Path log() {
            return log;
        }
    }
}
