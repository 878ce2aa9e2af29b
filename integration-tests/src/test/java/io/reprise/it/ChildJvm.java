package io.reprise.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real child JVM, its output captured to a file. Every wait is bounded; {@link #kill()} is SIGKILL.
 */
final class ChildJvm implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(20);

    private final String name;
    private final Process process;
    private final Path output;

    private ChildJvm(String name, Process process, Path output) {
        this.name = name;
        this.process = process;
        this.output = output;
    }

    /** Starts {@code java} (of the JDK under test) with {@code arguments}; output goes to {@code <workDir>/<name>.log}. */
    static ChildJvm start(String name, Path workDir, List<String> arguments) {
        return start(name, workDir, List.of(), arguments);
    }

    /** As {@link #start(String, Path, List)}, with {@code java} run by {@code prefix} (e.g. strace). */
    static ChildJvm start(String name, Path workDir, List<String> prefix, List<String> arguments) {
        List<String> command = new ArrayList<>(prefix);
        command.add(Launch.java());
        command.addAll(arguments);
        return run(name, workDir, command);
    }

    /** As {@link #start(String, Path, List)}, on the Java runtime at {@code javaHome} (a jlink'ed one, say). */
    static ChildJvm startOn(Path javaHome, String name, Path workDir, List<String> arguments) {
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        command.addAll(arguments);
        return run(name, workDir, command);
    }

    private static ChildJvm run(String name, Path workDir, List<String> command) {
        Path output = workDir.resolve(name + ".log");
        try {
            Process process = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .start();
            return new ChildJvm(name, process, output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    String output() {
        try {
            return Files.exists(output) ? Files.readString(output, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the output matches {@code regex}; fails with the output if it does not within {@code timeout}. */
    Matcher awaitOutput(String regex, Duration timeout) {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Matcher m = pattern.matcher(output());
            if (m.find()) {
                return m;
            }
            if (!process.isAlive()) {
                Matcher last = pattern.matcher(output());
                if (last.find()) {
                    return last;
                }
                return fail(name + " exited (" + process.exitValue() + ") before printing /" + regex + "/:\n" + output());
            }
            if (System.nanoTime() > deadline) {
                return fail(name + " did not print /" + regex + "/ within " + timeout + ":\n" + output());
            }
            pause();
        }
    }

    /** Waits until {@code port} accepts a connection on loopback. */
    void awaitPort(int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (accepts(port)) {
                return;
            }
            if (!process.isAlive()) {
                fail(name + " exited (" + process.exitValue() + ") before opening port " + port + ":\n" + output());
            }
            if (System.nanoTime() > deadline) {
                fail(name + " did not open port " + port + " within " + timeout + ":\n" + output());
            }
            pause();
        }
    }

    static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            // Test ports come from the ephemeral range. While nothing listens on one, a connect to it can be given that
            // very port as its own source port and connect the socket to itself (TCP simultaneous open): not a server.
            return s.getLocalPort() != port;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed by the JVM. */
    void kill() {
        // Under a prefix such as strace, the JVM is a descendant: kill it first, so that it cannot outlive
        // a tracer that detaches from it.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        int exit = waitFor(Duration.ofSeconds(20));
        if (exit != 137) {
            fail(name + " should have died of SIGKILL (exit 137) but exited " + exit + ":\n" + output());
        }
    }

    /** SIGTERM: an orderly shutdown, shutdown hooks run. Returns the exit code. */
    int terminate() {
        process.destroy();
        return waitFor(Duration.ofSeconds(30));
    }

    int waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                fail(name + " did not exit within " + timeout + ":\n" + output());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void pause() {
        try {
            Thread.sleep(POLL.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
