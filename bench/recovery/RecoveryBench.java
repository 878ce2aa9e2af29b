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
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Recovery benchmark for the counter sample (run from the repository root after `mvn -B package -DskipTests`):
 *
 *   java bench/recovery/RecoveryBench.java [--entries 100000] [--runs 5] [--java /path/to/bin/java]
 *
 * 1. Start-up cost: time from process start to the port accepting a connection, for the counter without the
 *    agent (baseline) and with the agent on an empty data directory, --runs times each, interleaved.
 * 2. Replay rate: --entries increments are journaled through HTTP (no snapshot provider effect: the snapshot
 *    interval and count are set out of reach), the process is SIGKILLed, then restarted --runs times (each
 *    restart also SIGKILLed, so the journal is replayed in full every time); the agent's own recovery line
 *    gives the replay time and rate, and the restart time is measured from process start to port open.
 * Reports medians and the min-max spread.
 */
public class RecoveryBench {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Pattern DONE = Pattern.compile("recovery done: snapshot position (-?\\d+), replayed (\\d+) entries in ([\\d.]+) ms \\(([\\d]+) entries/s\\)");

    public static void main(String[] args) throws Exception {
        int entries = 100_000;
        int runs = 5;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--entries" -> entries = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--java" -> java = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path work = Files.createTempDirectory("reprise-recovery-bench");
        System.out.println("java: " + java + " (" + version(java) + "), cores: " + Runtime.getRuntime().availableProcessors());

        // 1. Start-up cost with an empty journal, interleaved with the baseline.
        List<Double> plain = new ArrayList<>();
        List<Double> agent = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            plain.add(timeToPort(java, List.of(), work.resolve("plain-" + r)));
            Path empty = work.resolve("empty-" + r);
            agent.add(timeToPort(java, List.of("-javaagent:agent/target/reprise-agent.jar", "-Dreprise.dir=" + empty.resolve("data")), empty));
        }
        System.out.printf("start to port open, empty journal: without agent %s ms, with agent %s ms; added %.0f ms (ratio %.2f)%n",
                summary(plain), summary(agent), median(agent) - median(plain), median(agent) / median(plain));

        // 2. Replay rate for a journal of `entries` counter increments.
        Path dir = work.resolve("replay");
        Files.createDirectories(dir);
        List<String> agentOptions = List.of("-javaagent:agent/target/reprise-agent.jar", "-Dreprise.dir=" + dir.resolve("data"),
                "-Dreprise.snapshot.interval=24h", "-Dreprise.snapshot.every=1000000000");
        int port = freePort();
        Process writer = start(java, agentOptions, port, dir.resolve("writer.log"));
        awaitPort(writer, port);
        long t0 = System.nanoTime();
        load(port, 16, entries);
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("journaled %d increments through HTTP in %.1f s (%.0f req/s, 16 clients)%n", entries, loadSeconds, entries / loadSeconds);
        writer.destroyForcibly().waitFor();

        List<Double> restart = new ArrayList<>();
        List<Double> replayMs = new ArrayList<>();
        List<Double> rate = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            int p = freePort();
            Path log = dir.resolve("restart-" + r + ".log");
            long start = System.nanoTime();
            Process again = start(java, agentOptions, p, log);
            awaitPort(again, p);
            restart.add((System.nanoTime() - start) / 1e6);
            long value = get(p);
            again.destroyForcibly().waitFor();
            Matcher m = DONE.matcher(Files.readString(log));
            if (!m.find() || Long.parseLong(m.group(2)) != entries || value != entries) {
                throw new IllegalStateException("run " + r + ": expected " + entries + " replayed entries and value, got value " + value + "; log " + log);
            }
            replayMs.add(Double.parseDouble(m.group(3)));
            rate.add(Double.parseDouble(m.group(4)));
        }
        System.out.printf("replay of %d entries: %s ms, %s entries/s; restart (process start to port open) %s ms%n",
                entries, summary(replayMs), summary(rate), summary(restart));
        long bytes;
        try (Stream<Path> files = Files.list(dir.resolve("data/journal"))) {
            bytes = files.filter(f -> f.toString().endsWith(".cq4")).mapToLong(f -> f.toFile().length()).sum();
        }
        System.out.printf("journal files: %d bytes allocated on disk for %d entries (Chronicle preallocates its blocks)%n", bytes, entries);
        deleteRecursively(work);
    }

    static double timeToPort(String java, List<String> options, Path dir) throws Exception {
        Files.createDirectories(dir);
        int port = freePort();
        long start = System.nanoTime();
        Process p = start(java, options, port, dir.resolve("app.log"));
        awaitPort(p, port);
        double ms = (System.nanoTime() - start) / 1e6;
        p.destroyForcibly().waitFor();
        return ms;
    }

    static Process start(String java, List<String> options, int port, Path log) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(options);
        cmd.addAll(List.of("-jar", "samples/counter/target/counter-sample.jar", "--host", "127.0.0.1", "--port", Integer.toString(port)));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void load(int port, int clients, int total) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicLong left = new AtomicLong(total);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                while (left.getAndDecrement() > 0) {
                    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/counter/increment"))
                            .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) throw new IllegalStateException("increment answered " + r.statusCode());
                }
                return null;
            }));
        }
        for (Future<?> f : done) f.get(30, TimeUnit.MINUTES);
        pool.shutdown();
    }

    static long get(int port) throws Exception {
        return Long.parseLong(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/counter"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()).body().trim());
    }

    static void awaitPort(Process p, int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("exited with " + p.exitValue());
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 100);
                return;
            } catch (IOException notYet) {
                Thread.sleep(2);
            }
        }
        throw new IllegalStateException("port " + port + " did not open");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String version(String java) throws Exception {
        Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        return out.lines().findFirst().orElse("?");
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static String summary(List<Double> xs) {
        return String.format("median %.0f [%.0f-%.0f, n=%d]", median(xs), Collections.min(xs), Collections.max(xs), xs.size());
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
