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
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * How long a snapshot keeps writers paused when the state is large: the bench key/value service
 * ({@code io.reprise.bench.services.KvApp}) starts with {@link Plan#pauseKeys()} keys, wrk overwrites them with
 * PUTs from 8 connections, and the agent snapshots every {@link Plan#pauseSnapshotEvery()} writes; once with the
 * state in a concurrent map (saved while writers wait) and once in a persistent map (two-phase: captured under the
 * order, written after it). The pause and
 * total of each snapshot come from the agent's own log line; wrk's worst latency shows what a writer felt.
 */
public final class SnapshotPauseBench {

    static final Pattern SNAPSHOT = Pattern.compile(
            "(?<!final )snapshot at journal position \\d+ written to \\S+: writers paused ([\\d.,]+) ms(?: \\([^)]*\\))?, total ([\\d.,]+) ms");

    /**
     * One run: every snapshot's pause and total, in ms, and the write load it ran under; {@code state} is KvApp's
     * {@code --state}: {@code concurrent} (the provider saves under the order) or {@code persistent} (two-phase:
     * capture under the order, written after it). Null in results written before both were measured: concurrent.
     */
    public record Run(int run, List<Double> pausedMs, List<Double> totalMs, long snapshotBytes, Wrk.Result load,
                      String state) {
        public String stateOrDefault() {
            return state == null ? "concurrent" : state;
        }
    }

    /** KvApp's two kinds of state, measured alternately in every run. */
    public static final List<String> STATES = List.of("concurrent", "persistent");

    public record Results(int keys, int snapshotEvery, int seconds, int connections, List<Run> runs, List<String> commands) {
    }

    private static final int CONNECTIONS = 8;

    private final Plan plan;
    private final Layout layout;

    public SnapshotPauseBench(Plan plan, Layout layout) {
        this.plan = plan;
        this.layout = layout;
    }

    public Results run() throws Exception {
        List<Run> runs = new ArrayList<>();
        Path base = layout.work().resolve("pause");
        RecoveryBench.deleteRecursively(base);
        for (int r = 1; r <= plan.pauseRuns(); r++) {
          // Both kinds in every run, the order swapped from run to run, so that drift touches both alike.
          for (int k = 0; k < STATES.size(); k++) {
            String state = STATES.get((k + r) % STATES.size());
            Path data = base.resolve("run-" + r + "-" + state).resolve("data");
            int port = Ports.free();
            Service s = Service.start("kv", command(Integer.toString(port), data.toString(), state),
                    layout.work().resolve("logs").resolve("pause-run" + r + "-" + state + ".log"));
            Wrk.Result load;
            try {
                s.awaitHttp(port, Duration.ofMinutes(5));
                long keys = Http.getLong(port, "/kv");
                if (keys != plan.pauseKeys()) {
                    throw new IOException("the kv service holds " + keys + " keys, expected " + plan.pauseKeys());
                }
                load = Wrk.run(layout, port, "kv", CONNECTIONS, plan.pauseSeconds(), Integer.toString(plan.pauseKeys()));
            } finally {
                s.kill(); // no final snapshot: only snapshots taken under load count
            }
            List<Double> paused = new ArrayList<>();
            List<Double> total = new ArrayList<>();
            Matcher m = SNAPSHOT.matcher(s.log());
            while (m.find()) {
                paused.add(Double.parseDouble(m.group(1).replace(",", "")));
                total.add(Double.parseDouble(m.group(2).replace(",", "")));
            }
            if (paused.isEmpty()) {
                throw new IOException("the agent took no snapshot during the write load; see " + s.logFile());
            }
            long bytes = newestSnapshotBytes(data.resolve("snapshots"));
            runs.add(new Run(r, paused, total, bytes, load, state));
            System.out.printf("snapshot pause run %d/%d, %s state: %d snapshots of %d keys (%.1f MB): paused median %.2f ms,"
                            + " max %.2f ms; %.0f writes/s, writer p99 %.1f ms, max %.1f ms%n", r, plan.pauseRuns(), state,
                    paused.size(), plan.pauseKeys(), bytes / 1e6, io.reprise.bench.Stats.of(paused).median(),
                    io.reprise.bench.Stats.of(paused).max(), load.rps(), load.p99Us() / 1e3, load.maxUs() / 1e3);
            RecoveryBench.deleteRecursively(data.getParent());
          }
        }
        Results results = new Results(plan.pauseKeys(), plan.pauseSnapshotEvery(), plan.pauseSeconds(), CONNECTIONS, runs,
                List.of(show(command("$PORT", "$WORK/data", "concurrent|persistent")),
                        String.join(" ", Wrk.command(layout, "$PORT", "kv", CONNECTIONS, plan.pauseSeconds(),
                                Integer.toString(plan.pauseKeys())))));
        Json.write(layout.results().resolve("pause.json"), results);
        return results;
    }

    private List<String> command(String port, String data, String state) {
        return new ArrayList<>(List.of(layout.java().toString(), "-javaagent:" + layout.agentJar(), "-Dreprise.dir=" + data,
                "-Dreprise.snapshot.every=" + plan.pauseSnapshotEvery(), "-Dreprise.snapshot.interval=1h",
                "-cp", layout.servicesJar().toString(), "io.reprise.bench.services.KvApp",
                "--preload", Integer.toString(plan.pauseKeys()), "--state", state, "--host", "127.0.0.1", "--port", port));
    }

    private static String show(List<String> cmd) {
        List<String> shown = new ArrayList<>(cmd);
        shown.set(0, "java");
        return String.join(" ", shown);
    }

    private static long newestSnapshotBytes(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !p.getFileName().toString().startsWith("."))
                    .max(Comparator.comparing(p -> p.getFileName().toString()))
                    .map(p -> p.toFile().length()).orElse(0L);
        }
    }
}
