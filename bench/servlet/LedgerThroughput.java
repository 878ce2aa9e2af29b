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
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Live overhead of the agent on the ledger sample (Spring Boot 3, Tomcat), run from the repository root after
 * `mvn -B package -DskipTests`, with wrk installed (apt-get install wrk):
 *
 *   java bench/servlet/LedgerThroughput.java [--clients 8] [--seconds 8] [--warmup 4] [--rounds 6] [--path transfers|accounts]
 *
 * Starts the ledger twice at the same time, without the agent and with it (fresh data directory, sync=none), opens
 * four accounts on each, then loads them in turn with wrk, --seconds at a time with --clients keep-alive
 * connections: POST /transfers between random accounts (journaled), or GET /accounts/{id} (not journaled) with
 * --path accounts. The first --warmup rounds let the JIT settle (throughput grows about tenfold over them) and are
 * not counted; the medians of the next --rounds rounds are compared. Both JVMs live through the same minutes, so
 * load from other processes on the machine hits both alike. wrk rather than the JDK's HttpClient: the latter waits
 * ~40 ms on the chunked responses Spring MVC sends without the agent (with the agent the response is buffered and
 * sent with a Content-Length), which would flatter the agent. Loopback only; every run is bounded in time.
 */
public class LedgerThroughput {

    static final String[] ACCOUNTS = {"alice", "bob", "carol", "dave"};

    public static void main(String[] args) throws Exception {
        int clients = 8;
        int seconds = 8;
        int warmup = 4;
        int rounds = 6;
        String path = "transfers";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--path" -> path = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path work = Files.createTempDirectory("reprise-ledger-bench");
        Path script = work.resolve("load.lua");
        Files.writeString(script, path.equals("accounts") ? READS : TRANSFERS);
        System.out.printf("ledger throughput: wrk, %d connections, %d rounds of %d s after %d warm-up rounds, %s, %d cores, java %s%n",
                clients, rounds, seconds, warmup, path.equals("accounts") ? "GET /accounts/{id}" : "POST /transfers",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        int plainPort = freePort();
        int agentPort = freePort();
        Process plain = start(java, work, false, plainPort);
        Process agent = start(java, work, true, agentPort);
        try {
            awaitPort(plainPort, plain, Duration.ofSeconds(120));
            awaitPort(agentPort, agent, Duration.ofSeconds(120));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (String id : ACCOUNTS) {
                post(http, plainPort, "/accounts", "{\"id\":\"" + id + "\",\"balance\":1000000000}");
                post(http, agentPort, "/accounts", "{\"id\":\"" + id + "\",\"balance\":1000000000}");
            }
            List<Double> without = new ArrayList<>();
            List<Double> with = new ArrayList<>();
            for (int round = 1; round <= warmup + rounds; round++) {
                double p = wrk(script, plainPort, clients, seconds);
                double a = wrk(script, agentPort, clients, seconds);
                boolean counted = round > warmup;
                System.out.printf("round %2d%s  without agent %8.0f req/s   with agent %8.0f req/s%n", round,
                        counted ? "        " : " warm-up", p, a);
                if (counted) {
                    without.add(p);
                    with.add(a);
                }
            }
            double p = median(without);
            double a = median(with);
            System.out.printf("median: without agent %.0f req/s, with agent %.0f req/s (%.1f%% of the baseline)%n", p, a, 100 * a / p);
        } finally {
            for (Process process : List.of(plain, agent)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    static Process start(String java, Path work, boolean withAgent, int port) throws IOException {
        List<String> command = new ArrayList<>(List.of(java, "-Xmx1g"));
        if (withAgent) {
            command.add("-javaagent:agent/target/reprise-agent.jar");
            command.add("-Dreprise.dir=" + work.resolve("data"));
        }
        command.addAll(List.of("-jar", "samples/ledger-spring/target/ledger-sample.jar", "--server.port=" + port,
                "--server.address=127.0.0.1"));
        Path log = work.resolve(withAgent ? "agent.log" : "plain.log");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static final String TRANSFERS = """
            local accounts = {"alice", "bob", "carol", "dave"}
            request = function()
              local from = math.random(1, 4)
              local to = (from + math.random(0, 2)) % 4 + 1
              local body = string.format('{"from":"%s","to":"%s","amount":%d}', accounts[from], accounts[to], math.random(1, 5))
              return wrk.format("POST", "/transfers", {["Content-Type"] = "application/json"}, body)
            end
            """;

    static final String READS = """
            local accounts = {"alice", "bob", "carol", "dave"}
            request = function()
              return wrk.format("GET", "/accounts/" .. accounts[math.random(1, 4)])
            end
            """;

    /** Runs wrk and returns its Requests/sec. */
    static double wrk(Path script, int port, int clients, int seconds) throws Exception {
        Process wrk = new ProcessBuilder("wrk", "-t" + Math.min(2, clients), "-c" + clients, "-d" + seconds + "s", "-s", script.toString(),
                "http://127.0.0.1:" + port).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes());
        if (!wrk.waitFor(seconds + 60L, TimeUnit.SECONDS) || wrk.exitValue() != 0) {
            throw new IllegalStateException("wrk failed:\n" + out);
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Requests/sec:\\s+([\\d.]+)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no Requests/sec in wrk's output:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    static void post(HttpClient http, int port, String path, String json) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() >= 500) {
            throw new IllegalStateException("POST " + path + " answered " + r.statusCode());
        }
    }

    static void awaitPort(int port, Process process, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the ledger exited before opening its port");
                }
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException("the ledger did not open port " + port + " within " + timeout);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
