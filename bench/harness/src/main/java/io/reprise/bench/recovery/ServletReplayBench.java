package io.reprise.bench.recovery;

import io.reprise.bench.Json;
import io.reprise.bench.Layout;
import io.reprise.bench.Plan;
import io.reprise.bench.load.Wrk;
import io.reprise.bench.proc.Http;
import io.reprise.bench.proc.Ports;
import io.reprise.bench.proc.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Replay on a servlet container against serving live: the ledger sample (Spring Boot, Spring MVC) on Tomcat and on
 * Jetty, with the agent. Each run starts the ledger on a fresh data directory, opens four accounts, warms it up with
 * wrk on one connection ({@code POST /transfers}, not counted), then measures it live on one connection for
 * {@link Plan#loadSeconds()}; then kills it with SIGKILL and starts it again on the same directory, where the agent
 * replays every journaled transfer through Spring's own dispatcher before the port opens. The replay rate is the
 * agent's own figure from its {@code recovery done} line; the accounts after the restart must read exactly as they
 * did before the kill. The ratio is replay entries/s ÷ live requests/s of the same run: above 1, a restart replays a
 * journal faster than a single client could have written it.
 */
public final class ServletReplayBench {

    /** A ledger build: the sample on Tomcat (its default) and the same sources built with Jetty for the tests. */
    public record Server(String name, Path jar) {
    }

    static final List<Server> SERVERS = List.of(
            new Server("tomcat", Path.of("samples/ledger-spring/target/ledger-sample.jar")),
            new Server("jetty", Path.of("integration-tests/apps/ledger-jetty/target/ledger-jetty.jar")));

    static final String[] ACCOUNTS = {"alice", "bob", "carol", "dave"};

    /**
     * @param liveRps      requests/s served live on one connection, after the warm-up
     * @param replayed     entries replayed at the restart (warm-up, measured requests and the four accounts)
     * @param replayRate   the agent's replay rate, entries/s
     */
    public record Run(String server, int run, double liveRps, long liveRequests, long replayed, double replayMs,
                      double replayRate, double restartMs) {
        public double ratio() {
            return replayRate / liveRps;
        }
    }

    public record Results(int warmupSeconds, int seconds, List<Run> runs, List<String> commands) {
    }

    private final Plan plan;
    private final Layout layout;

    public ServletReplayBench(Plan plan, Layout layout) {
        this.plan = plan;
        this.layout = layout;
    }

    public Results run() throws Exception {
        for (Server s : SERVERS) {
            if (!Files.isRegularFile(s.jar())) {
                throw new IOException("the ledger on " + s.name() + " is not built: " + s.jar() + " is missing (mvn -B package -DskipTests)");
            }
        }
        int warmup = plan.smokeMode() ? 1 : 10;
        int seconds = plan.loadSeconds();
        int runs = plan.restartRuns();
        Path base = layout.work().resolve("servlet-replay");
        List<Run> results = new ArrayList<>();
        for (int r = 1; r <= runs; r++) {
            for (Server server : SERVERS) { // alternating, so both see the same machine
                Run run = run(server, r, base.resolve(server.name() + "-" + r), warmup, seconds);
                results.add(run);
                System.out.printf("servlet replay, %s run %d/%d: live %.0f req/s on one connection; replayed %d entries at %.0f entries/s"
                                + " (%.2f× live), port open after %.0f ms%n", server.name(), r, runs, run.liveRps(), run.replayed(),
                        run.replayRate(), run.ratio(), run.restartMs());
            }
            RecoveryBench.deleteRecursively(base);
        }
        Results out = new Results(warmup, seconds, results, SERVERS.stream()
                .map(s -> CounterLaunch.show(command(s, "$PORT", "$WORK/data"))).toList());
        Json.write(layout.results().resolve("servlet-replay.json"), out);
        return out;
    }

    private List<String> command(Server server, String port, String data) {
        List<String> cmd = new ArrayList<>(List.of(layout.java().toString(), "-Xmx1g", "-javaagent:" + layout.agentJar(),
                "-Dreprise.dir=" + data));
        for (String s : RecoveryBench.NO_NEW_SNAPSHOTS) {
            cmd.add("-Dreprise." + s);
        }
        cmd.addAll(List.of("-jar", server.jar().toString(), "--server.port=" + port, "--server.address=127.0.0.1"));
        return cmd;
    }

    /**
     * The accounts once they stop changing: the request wrk had in flight when it stopped may still be applied after
     * it exits. At most 20 reads, 100 ms apart.
     */
    private static String settled(int port) throws IOException, InterruptedException {
        String last = Http.get(port, "/accounts");
        for (int i = 0; i < 20; i++) {
            Thread.sleep(100);
            String now = Http.get(port, "/accounts");
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        throw new IOException("the ledger's accounts kept changing after the load stopped");
    }

    private Run run(Server server, int r, Path dir, int warmup, int seconds) throws Exception {
        Path data = dir.resolve("data");
        String name = "servlet-" + server.name() + "-" + r;
        int port = Ports.free();
        Service live = Service.start(name + "-live", command(server, Integer.toString(port), data.toString()),
                layout.work().resolve("logs").resolve(name + "-live.log"));
        Wrk.Result measured;
        String before;
        try {
            live.awaitPort(port, Duration.ofSeconds(120));
            for (String id : ACCOUNTS) {
                int status = Http.postJson(port, "/accounts", "{\"id\":\"" + id + "\",\"balance\":1000000000}");
                if (status >= 300) {
                    throw new IOException(name + ": opening account " + id + " answered " + status + "; see " + live.logFile());
                }
            }
            Wrk.run(layout, port, "transfers", 1, warmup);
            measured = Wrk.run(layout, port, "transfers", 1, seconds);
            if (measured.errors() > 0) {
                throw new IOException(name + ": " + measured.errors() + " transfers failed live; see " + live.logFile());
            }
            before = settled(port);
        } finally {
            live.kill();
        }
        int port2 = Ports.free();
        Service restart = Service.start(name + "-restart", command(server, Integer.toString(port2), data.toString()),
                layout.work().resolve("logs").resolve(name + "-restart.log"));
        double ms;
        String after;
        try {
            ms = restart.awaitPort(port2, Duration.ofMinutes(10));
            after = Http.get(port2, "/accounts");
        } finally {
            restart.kill();
        }
        RecoveryBench.Done done = RecoveryBench.done(restart, name, "replaying the ledger's own journal", "");
        if (!after.equals(before)) {
            throw new IOException(name + ": the accounts read " + before + " before the kill but " + after + " after the restart; see "
                    + restart.logFile());
        }
        return new Run(server.name(), r, measured.rps(), measured.requests(), done.replayed(), done.ms(), done.rate(), ms);
    }
}
