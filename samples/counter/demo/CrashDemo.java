import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
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
 * with the Reprise agent, drives load from 8 clients, kills it with SIGKILL, restarts it, and shows the value
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
        say("2. " + 8 + " clients increment the counter for " + seconds + " s");
        long started = System.nanoTime();
        long acknowledged = load(port, 8, Duration.ofSeconds(seconds));
        double elapsed = (System.nanoTime() - started) / 1e9;
        long before = get(port);
        say(String.format("   %d increments acknowledged (%.0f req/s); the counter says %d", acknowledged, acknowledged / elapsed, before));
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

    static long load(int port, int clients, Duration duration) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<Long>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                long n = 0;
                while (!stop.get()) {
                    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/counter/increment"))
                            .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) n++;
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
