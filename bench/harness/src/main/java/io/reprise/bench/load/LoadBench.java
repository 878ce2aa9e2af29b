package io.reprise.bench.load;

import io.reprise.bench.Json;
import io.reprise.bench.Layout;
import io.reprise.bench.Plan;
import io.reprise.bench.proc.Http;
import io.reprise.bench.proc.Ports;
import io.reprise.bench.proc.Service;
import io.reprise.bench.recovery.RecoveryBench;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The load step: every {@link Scenario} of the counter service under wrk, POST-only and a 90/10 GET/POST mix, at
 * each connection count, repeated {@link Plan#loadRuns()} times. A repetition runs every scenario once, baseline
 * first, each in a fresh process (and a fresh Redis), warmed up before it is measured, so each scenario can be
 * compared with the baseline of its own repetition.
 *
 * <p>{@link Selection} narrows the scenarios ({@code --scenarios}) and adds the previous release's agent
 * ({@code --previous-agent}): its {@code sync=none} runs right next to this build's in every repetition, the two
 * swapping places from one repetition to the next, so that each can be divided by the other of the same repetition.
 */
public final class LoadBench {

    public static final List<String> MIXES = List.of("post", "mix");

    /** The probe's warm-up of its own JIT on the connection it then measures (the service is warm by then). */
    static final int PROBE_WARMUP_SECONDS = 2;

    /**
     * One wrk measurement and, at one connection, the {@link Probe}'s, whose latencies replace wrk's there (see
     * {@link Probe} for why); {@code probe} is null at more connections and in results of runs before it existed.
     */
    public record Row(String scenario, String mix, int connections, int run, Wrk.Result wrk, Wrk.Result probe) {

        public Row(String scenario, String mix, int connections, int run, Wrk.Result wrk) {
            this(scenario, mix, connections, run, wrk, null);
        }

        /** The measurement the latencies come from: the probe's where there is one, else wrk's. */
        public Wrk.Result latency() {
            return probe != null ? probe : wrk;
        }
    }

    /**
     * @param unavailable scenario id to the reason it was not measured
     * @param commands    scenario id to the commands that start it, with $-placeholders for ports and directories
     */
    /**
     * @param scenarios     the scenarios this run measured (with {@code --scenarios}, only those), in the order of
     *                      {@link Scenario#ALL}
     * @param unselected    the scenarios left out by {@code --scenarios}; empty without it
     * @param previousAgent the jar of {@code --previous-agent}, null without it
     */
    public record Results(List<String> scenarios, List<String> mixes, List<Integer> connections, int runs,
                          int seconds, int warmupSeconds, List<Row> rows, Map<String, String> unavailable,
                          Map<String, List<String>> commands, List<String> wrkCommands, String postgresVersion,
                          String redisVersion, List<String> unselected, PreviousAgent previousAgent) {
    }

    /**
     * What to measure besides the plan's sizes.
     *
     * @param scenarios     the ids to run ({@code --scenarios}), or null for all
     * @param previousAgent the earlier release's agent jar ({@code --previous-agent}), or null
     * @param previousLabel what to call it in the report ({@code --previous-agent-label}), or null
     * @param mixes         the wrk mixes to measure ({@code --mixes}), a subset of {@link #MIXES} in its order; null
     *                      for both
     */
    public record Selection(List<String> scenarios, Path previousAgent, String previousLabel, List<String> mixes) {

        public static final Selection ALL = new Selection(null, null, null, null);

        public Selection {
            if (mixes != null) {
                for (String m : mixes) {
                    if (!MIXES.contains(m)) {
                        throw new IllegalArgumentException("unknown mix " + m + "; the mixes are " + String.join(",", MIXES));
                    }
                }
                List<String> wanted = mixes;
                mixes = MIXES.stream().filter(wanted::contains).toList();
            } else {
                mixes = MIXES;
            }
        }

        public Selection(List<String> scenarios, Path previousAgent, String previousLabel) {
            this(scenarios, previousAgent, previousLabel, null);
        }

        /** The scenarios to run, in the order of {@link Scenario#ALL}. */
        List<Scenario> chosen() {
            return Scenario.ALL.stream()
                    .filter(s -> scenarios == null ? s.store() != Scenario.Store.PREVIOUS_AGENT || previousAgent != null
                            : scenarios.contains(s.id()))
                    .toList();
        }

        /** Refuses a selection that cannot run: the previous release's scenario without its jar. */
        public void check() {
            if (scenarios != null && scenarios.contains(Scenario.PREVIOUS_NONE) && previousAgent == null) {
                throw new IllegalArgumentException("--scenarios names " + Scenario.PREVIOUS_NONE + " but no --previous-agent"
                        + " jar was given; add --previous-agent PATH (the earlier release's agent/target/reprise-agent.jar)");
            }
        }
    }

    /** The scenario cannot run in this build or on this machine; reported, not a failure. */
    static final class NotAvailable extends Exception {
        NotAvailable(String reason) {
            super(reason);
        }
    }

    private final Plan plan;
    private final Layout layout;
    private final Selection selection;
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();
    private Postgres postgres;

    public LoadBench(Plan plan, Layout layout) {
        this(plan, layout, Selection.ALL);
    }

    public LoadBench(Plan plan, Layout layout, Selection selection) {
        this.plan = plan;
        this.layout = layout;
        this.selection = selection;
    }

    public Results run() throws Exception {
        selection.check();
        List<Scenario> chosen = selection.chosen();
        PreviousAgent previous = selection.previousAgent() == null ? null
                : PreviousAgent.of(selection.previousAgent(), selection.previousLabel());
        if (previous != null) {
            say("load: previous release's agent %s", previous.describe());
        }
        String redisMissing = Redis.unavailableReason();
        String postgresMissing = Postgres.unavailableReason();
        for (Scenario s : chosen) {
            if (s.store() == Scenario.Store.REDIS && redisMissing != null) {
                unavailable.put(s.id(), redisMissing);
            }
            if (s.store() == Scenario.Store.POSTGRES && postgresMissing != null) {
                unavailable.put(s.id(), postgresMissing);
            }
        }
        String postgresVersion = null;
        try {
            for (int run = 1; run <= plan.loadRuns(); run++) {
                for (Scenario s : order(chosen, run)) {
                    if (unavailable.containsKey(s.id())) {
                        continue;
                    }
                    say("load run %d/%d: %s", run, plan.loadRuns(), s.label());
                    try {
                        measure(s, run);
                    } catch (NotAvailable e) {
                        say("  not available: %s", e.getMessage());
                        unavailable.put(s.id(), e.getMessage());
                    }
                }
            }
            postgresVersion = postgres == null ? null : postgres.version();
        } finally {
            if (postgres != null) {
                postgres.close();
            }
        }
        Map<String, List<String>> commands = new LinkedHashMap<>();
        for (Scenario s : chosen) {
            commands.put(s.id(), describe(s));
        }
        List<String> wrk = selection.mixes().stream().map(mix -> String.join(" ", Wrk.command(layout, "$PORT", mix, 64, plan.loadSeconds()))
                .replace("-t 2 -c 64", "-t $THREADS -c $CONNECTIONS")).toList();
        List<String> unselected = selection.scenarios() == null ? List.of()
                : Scenario.ALL.stream().filter(s -> !chosen.contains(s) && (s.store() != Scenario.Store.PREVIOUS_AGENT || previous != null))
                        .map(Scenario::id).toList();
        Results results = new Results(chosen.stream().map(Scenario::id).toList(), selection.mixes(), plan.connections(),
                plan.loadRuns(), plan.loadSeconds(), plan.warmupSeconds(), rows, unavailable, commands, wrk,
                postgresVersion, Redis.unavailableReason() == null ? io.reprise.bench.proc.Commands.firstLine("redis-server", "--version") : null,
                unselected, previous);
        Json.write(layout.results().resolve("load.json"), results);
        return results;
    }

    /**
     * The order of repetition {@code run}: as chosen, except that this build's {@code sync=none} and the previous
     * release's swap places in every second repetition, so that neither always runs first (on a JVM, a disk and a
     * page cache the other one just warmed, or just filled).
     */
    static List<Scenario> order(List<Scenario> chosen, int run) {
        List<Scenario> order = new ArrayList<>(chosen);
        int current = order.indexOf(Scenario.byId("agent-none"));
        int previous = order.indexOf(Scenario.byId(Scenario.PREVIOUS_NONE));
        if (run % 2 == 0 && current >= 0 && previous >= 0) {
            java.util.Collections.swap(order, current, previous);
        }
        return order;
    }

    private void measure(Scenario s, int run) throws Exception {
        Path dir = layout.work().resolve("load").resolve("run-" + run).resolve(s.id());
        RecoveryBench.deleteRecursively(dir); // an agent must start on an empty journal, Redis on an empty AOF
        Path logs = layout.work().resolve("logs");
        int port = Ports.free();
        Redis redis = null;
        Service service = null;
        try {
            List<String> cmd;
            switch (s.store()) {
                case HEAP -> cmd = counterCommand(null, null, Integer.toString(port), null);
                case AGENT, PREVIOUS_AGENT -> cmd = counterCommand(agentJar(s), s.option(), Integer.toString(port),
                        dir.resolve("data").toString());
                case REDIS -> {
                    redis = Redis.start(dir.resolve("redis"), s.option(), logs.resolve("load-run" + run + "-" + s.id() + "-redis.log"));
                    cmd = storeCommand("redis", Integer.toString(port), Integer.toString(redis.port()), null);
                }
                case POSTGRES -> {
                    if (postgres == null) {
                        postgres = Postgres.start(logs);
                    }
                    cmd = storeCommand("postgres", Integer.toString(port), null, postgres.jdbcUrl());
                }
                default -> throw new IllegalStateException();
            }
            service = Service.start(s.id(), cmd, logs.resolve("load-run" + run + "-" + s.id() + ".log"));
            try {
                service.awaitHttp(port, Duration.ofSeconds(120));
            } catch (Service.ExitedException e) {
                String log = service.log();
                if (s.agent() && e.exitCode() == 2 && log.contains("configuration error")) {
                    String line = log.lines().filter(l -> l.contains("configuration error")).findFirst().orElse(log).trim();
                    throw new NotAvailable("not available in this build: the agent " + agentJar(s) + " refuses reprise.sync=" + s.option()
                            + " (\"" + line + "\")");
                }
                throw e;
            }
            long before = Http.getLong(port, "/counter");
            Wrk.Result warm = Wrk.run(layout, port, "post", 8, plan.warmupSeconds());
            Wrk.run(layout, port, "mix", 8, plan.warmupSeconds());
            long acknowledgedPosts = warm.requests() - warm.errors();
            for (String mix : selection.mixes()) {
                for (int connections : plan.connections()) {
                    Wrk.Result r = Wrk.run(layout, port, mix, connections, plan.loadSeconds());
                    Wrk.Result probe = connections == 1 ? Probe.run(port, mix, Math.min(PROBE_WARMUP_SECONDS, plan.warmupSeconds()), plan.loadSeconds()) : null;
                    Row row = new Row(s.id(), mix, connections, run, r, probe);
                    rows.add(row);
                    Wrk.Result l = row.latency();
                    say("  %-4s c=%-3d %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  max %7.1f ms%s%s", mix, connections,
                            r.rps(), l.p50Us() / 1e3, l.p99Us() / 1e3, l.maxUs() / 1e3, probe != null ? " (probe)" : "",
                            r.errors() + l.errors() > 0 ? "  errors " + (r.errors() + l.errors()) : "");
                    if (mix.equals("post")) {
                        acknowledgedPosts += r.requests() - r.errors();
                        if (probe != null) {
                            acknowledgedPosts += probe.requests() - probe.errors();
                        }
                    }
                }
            }
            long after = Http.getLong(port, "/counter");
            if (after - before < acknowledgedPosts) {
                throw new IOException(s.label() + ": the counter went from " + before + " to " + after + ", but "
                        + acknowledgedPosts + " POST-only increments were acknowledged; the service lost writes");
            }
        } finally {
            if (service != null) {
                service.stop(Duration.ofSeconds(30));
            }
            if (redis != null) {
                redis.close();
            }
            RecoveryBench.deleteRecursively(dir);
        }
    }

    /** This build's agent jar, or the previous release's for its scenario. */
    private Path agentJar(Scenario s) {
        return s.store() == Scenario.Store.PREVIOUS_AGENT ? selection.previousAgent() : layout.agentJar();
    }

    private List<String> counterCommand(Path agentJar, String sync, String port, String dataDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(layout.java().toString());
        if (sync != null) {
            cmd.add("-javaagent:" + agentJar);
            cmd.add("-Dreprise.dir=" + dataDir);
            cmd.add("-Dreprise.sync=" + sync);
        }
        cmd.addAll(List.of("-jar", layout.counterJar().toString(), "--host", "127.0.0.1", "--port", port));
        return cmd;
    }

    private List<String> storeCommand(String store, String port, String redisPort, String jdbc) {
        List<String> cmd = new ArrayList<>(List.of(layout.java().toString(), "-cp", layout.servicesJar().toString(),
                "io.reprise.bench.services.StoreCounterApp", "--store", store));
        if (redisPort != null) {
            cmd.addAll(List.of("--redis-port", redisPort));
        }
        if (jdbc != null) {
            cmd.addAll(List.of("--jdbc", jdbc, "--db-user", Postgres.USER));
        }
        cmd.addAll(List.of("--host", "127.0.0.1", "--port", port));
        return cmd;
    }

    private List<String> describe(Scenario s) {
        List<String> lines = new ArrayList<>();
        switch (s.store()) {
            case HEAP -> lines.add(show(counterCommand(null, null, "$PORT", null)));
            case AGENT, PREVIOUS_AGENT -> lines.add(show(counterCommand(agentJar(s), s.option(), "$PORT", "$WORK/data")));
            case REDIS -> {
                lines.add(String.join(" ", Redis.command("$REDIS_PORT", "$WORK/redis", s.option())).replace("--save  ", "--save \"\" "));
                lines.add(show(storeCommand("redis", "$PORT", "$REDIS_PORT", null)));
            }
            case POSTGRES -> {
                lines.addAll(Postgres.describe());
                lines.add(show(storeCommand("postgres", "$PORT", null, "jdbc:postgresql://127.0.0.1:$PGPORT/postgres")));
            }
            default -> throw new IllegalStateException();
        }
        return lines;
    }

    private String show(List<String> cmd) {
        List<String> shown = new ArrayList<>(cmd);
        shown.set(0, "java");
        return String.join(" ", shown);
    }

    private static void say(String format, Object... args) {
        System.out.println(String.format(format, args));
    }
}
