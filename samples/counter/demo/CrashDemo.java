import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The crash-and-recover demo (run it with ./demo.sh from the repository root): starts the counter sample
 * with the Reprise agent, drives load from 8 keep-alive connections, kills it with SIGKILL, restarts it, and shows the value
 * and the recovery. Options: --seconds N (load duration, default 5), --dir PATH (default target/demo-data).
 */
public class CrashDemo {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        int seconds = 5;
        Path dir = Path.of("target/demo-data");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--seconds")) seconds = Integer.parseInt(args[++i]);
            else if (args[i].equals("--dir")) dir = Path.of(args[++i]);
        }
        deleteRecursively(dir);
        Files.createDirectories(dir);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        int port = freePort();
        say("1. starting the counter with the agent, data in " + dir);
        Process first = start(java, dir, port, dir.resolve("first.log"));
        awaitPort(first, port);
        say("2. 8 keep-alive connections increment the counter for " + seconds + " s");
        long started = System.nanoTime();
        long acknowledged = load(port, 8, Duration.ofSeconds(seconds));
        double elapsed = (System.nanoTime() - started) / 1e9;
        long before = get(port);
        say(String.format("   %d increments acknowledged (%.0f req/s from this demo's 8 connections, on the same cores as the"
                + " counter; bench/run.sh measures throughput); the counter says %d", acknowledged, acknowledged / elapsed, before));
        say("3. SIGKILL (no shutdown hook, no final snapshot)");
        first.destroyForcibly().waitFor();

        int port2 = freePort();
        say("4. restarting it on the same data directory");
        long restart = System.nanoTime();
        Process second = start(java, dir, port2, dir.resolve("second.log"));
        awaitPort(second, port2);
        double restartSeconds = (System.nanoTime() - restart) / 1e9;
        long after = get(port2);
        for (String line : Files.readAllLines(dir.resolve("second.log"))) {
            if (line.contains("reprise: recovery")) say("   " + line.substring(line.indexOf("reprise:")));
        }
        say(String.format("   port open %.2f s after the process started (JVM start included)", restartSeconds));
        say("5. the counter says " + after + (after == before
                ? "  -- every acknowledged increment survived the SIGKILL"
                : "  -- MISMATCH: expected " + before));
        second.destroy();
        second.waitFor(30, TimeUnit.SECONDS);
        if (after != before) System.exit(1);
    }

    static Process start(String java, Path dir, int port, Path log) throws IOException {
        return new ProcessBuilder(java, "-javaagent:agent/target/reprise-agent.jar", "-Dreprise.dir=" + dir.resolve("data"),
                "-jar", "samples/counter/target/counter-sample.jar", "--host", "127.0.0.1", "--port", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Sends increments from {@code clients} keep-alive connections, one request at a time on each, and counts the
     * 200s. Plain sockets rather than java.net.http.HttpClient: the demo is about what survives a SIGKILL, and the
     * HttpClient (an HTTP/2 upgrade attempt, its own threads, a cold JVM) held the first run of this demo to about
     * 700 req/s, which read as the agent's speed. The figure is still only what this one process sends; bench/run.sh
     * measures throughput.
     */
    static long load(int port, int clients, Duration duration) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<Long>> done = new ArrayList<>();
        byte[] request = ("POST /counter/increment HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                long n = 0;
                try (Socket socket = new Socket("127.0.0.1", port)) {
                    socket.setTcpNoDelay(true);
                    socket.setSoTimeout(30_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = new BufferedInputStream(socket.getInputStream());
                    while (!stop.get()) {
                        out.write(request);
                        out.flush();
                        if (readResponse(in) == 200) n++;
                    }
                }
                return n;
            }));
        }
        Thread.sleep(duration.toMillis());
        stop.set(true);
        long total = 0;
        for (Future<Long> f : done) total += f.get(60, TimeUnit.SECONDS);
        pool.shutdown();
        return total;
    }

    /** Reads one HTTP/1.1 response with a Content-Length and returns its status. */
    static int readResponse(InputStream in) throws IOException {
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) throw new IOException("not an HTTP response: " + status);
        long length = -1;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon > 0 && header.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(header.substring(colon + 1).trim());
            }
        }
        if (length < 0) throw new IOException("a response without Content-Length: " + status);
        in.skipNBytes(length);
        return Integer.parseInt(parts[1]);
    }

    static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) throw new IOException("the connection closed in the middle of a response");
            if (b != '\r') line.append((char) b);
            if (line.length() > 8192) throw new IOException("a response line longer than 8 KiB");
        }
        return line.toString();
    }

    static long get(int port) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/counter"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return Long.parseLong(r.body().trim());
    }

    static void awaitPort(Process p, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("the counter exited with " + p.exitValue() + "; see its log in the data directory");
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(5);
            }
        }
        throw new IllegalStateException("port " + port + " did not open within 120 s");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    static void say(String line) {
        System.out.println(line);
    }
}
