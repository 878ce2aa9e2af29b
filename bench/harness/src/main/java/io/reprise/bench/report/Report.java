package io.reprise.bench.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.reprise.bench.Bench;
import io.reprise.bench.Json;
import io.reprise.bench.Layout;
import io.reprise.bench.Plan;
import io.reprise.bench.Stats;
import io.reprise.bench.load.LoadBench;
import io.reprise.bench.load.Scenario;
import io.reprise.bench.micro.JmhBench;
import io.reprise.bench.recovery.RecoveryBench;
import io.reprise.bench.recovery.ServletReplayBench;
import io.reprise.bench.recovery.SnapshotPauseBench;
import io.reprise.bench.recovery.StartupBench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Writes the Markdown report and its plots from the results in the work directory. Every figure is a median over
 * repeated runs, shown with its range (min-max) and the number of runs.
 */
public final class Report {

    private final Layout layout;
    private final Plan plan;
    private final StringBuilder md = new StringBuilder();
    private final Machine machine;
    private final LoadBench.Results load;
    private final StartupBench.Results startup;
    private final RecoveryBench.Results recovery;
    private final SnapshotPauseBench.Results pause;
    private final ServletReplayBench.Results servletReplay;
    private final JsonNode jmh;
    /** Steps measured again on their own after the whole run, with what they were measured on. */
    private final Map<String, Machine> reruns = new LinkedHashMap<>();

    private Report(Layout layout, Plan plan) throws IOException {
        this.layout = layout;
        this.plan = plan;
        Path r = layout.results();
        machine = Json.read(r.resolve("machine.json"), Machine.class);
        load = Json.read(r.resolve("load.json"), LoadBench.Results.class);
        startup = Json.read(r.resolve("startup.json"), StartupBench.Results.class);
        recovery = Json.read(r.resolve("recovery.json"), RecoveryBench.Results.class);
        pause = Json.read(r.resolve("pause.json"), SnapshotPauseBench.Results.class);
        servletReplay = Json.read(r.resolve("servlet-replay.json"), ServletReplayBench.Results.class);
        jmh = Files.exists(JmhBench.resultFile(layout)) ? Json.MAPPER.readTree(JmhBench.resultFile(layout).toFile()) : null;
        for (String step : Bench.STEPS) {
            Machine rerun = Json.read(r.resolve(Machine.rerunFile(step)), Machine.class);
            if (rerun != null) {
                reruns.put(step, rerun);
            }
        }
    }

    public static void write(Layout layout, Plan plan) throws IOException {
        new Report(layout, plan).write();
    }

    private void write() throws IOException {
        Files.createDirectories(layout.imageDir());
        header();
        headlines();
        machineSection();
        loadSection();
        recoverySection();
        jmhSection();
        reproduce();
        Files.createDirectories(layout.reportFile().getParent());
        Files.writeString(layout.reportFile(), md.toString());
    }

    // ---------------------------------------------------------------- header and headlines

    private void header() {
        line("# Benchmarks");
        line();
        line("<!-- Written by bench/harness (io.reprise.bench.report.Report). Do not edit: rerun bench/run.sh instead. -->");
        line();
        if (machine != null) {
            line(String.format(Locale.ROOT, "Written by `%s` on %s; the run took %.1f minutes. How the harness works, and why it"
                    + " measures what it measures: [bench/README.md](%s).", machine.command(), machine.started(), machine.minutes(),
                    relative(layout.repo().resolve("bench/README.md"))));
        }
        line();
        if (plan.smokeMode()) {
            line("> **Smoke run.** Every step ran with tiny sizes and one repetition to check that the harness works. The numbers"
                    + " below mean nothing; the report's numbers come from `bench/run.sh --full`.");
            line();
        }
        if (machine != null && machine.loadBefore1m() > 0.5 * machine.cores()) {
            line("> **The machine was busy when this run started** (load average " + machine.loadBefore() + " on "
                    + machine.cores() + " cores): other work competed with the benchmark, and the numbers are not fit to be quoted.");
            line();
        }
    }

    /** Under a section whose step was measured again alone: when, at which commit, and whether the machine was quiet. */
    private void rerunNote(String step) {
        Machine m = reruns.get(step);
        if (m == null) {
            return;
        }
        line(String.format(Locale.ROOT, "> Measured again on its own on %s at commit %s (`%s`, load average %s before)%s; the"
                + " rest of the page is from the whole run above.", m.started(), m.commit(), m.command(), m.loadBefore(),
                m.loadBefore1m() > 0.5 * m.cores() ? ", **on a busy machine: not fit to be quoted**" : ""));
        line();
    }

    private void headlines() {
        line("## Headlines");
        line();
        line("| question | answer |");
        line("|---|---|");
        if (load != null) {
            int c = maxConnections();
            line("| Throughput of the agent with `sync=none` against the counter without it, POST only, " + c + " connections | "
                    + ratioText("agent-none", "baseline", "post", c) + " |");
            if (load.previousAgent() != null) {
                line("| Throughput of this build's agent against the previous release's (" + load.previousAgent().describe()
                        + "), both `sync=none`, POST only, " + c + " connections | "
                        + ratioText("agent-none", Scenario.PREVIOUS_NONE, "post", c) + " |");
            }
            line("| Throughput of the agent with `sync=always` against Redis with `appendfsync always`, POST only, " + c
                    + " connections | " + ratioText("agent-always", "redis-always", "post", c) + " |");
            if (probed("post", 1) && ran("agent-none") && ran("baseline") && !load.unavailable().containsKey("agent-none")) {
                Stats p99 = ratio("agent-none", "baseline", "post", 1, r -> r.latency().p99Us());
                line(String.format(Locale.ROOT, "| p99 latency of the agent with `sync=none` against the counter without it, POST only,"
                        + " 1 connection (the probe's) | **%.2f×**%s (%s against %s ms) |", p99.median(),
                        spread(p99, v -> String.format(Locale.ROOT, "%.2f", v)),
                        ms1(latency("agent-none", "post", 1, r -> r.latency().p99Us()).median()),
                        ms1(latency("baseline", "post", 1, r -> r.latency().p99Us()).median())));
            }
        }
        if (recovery != null) {
            long n = recovery.journals().stream().mapToLong(RecoveryBench.Journaled::entries)
                    .filter(e -> e == 1_000_000L).findFirst()
                    .orElse(recovery.journals().stream().mapToLong(RecoveryBench.Journaled::entries).max().orElse(0));
            Stats rate = Stats.of(recovery.restarts().stream().filter(r -> r.entries() == n && !r.snapshots())
                    .map(RecoveryBench.Restart::replayRate).toList());
            line(String.format(Locale.ROOT, "| Replay rate of a %s-entry journal without snapshots (counter, in-process, as the agent"
                    + " logs it%s) | **%s entries/s**%s |", count(n), recovery.outcomes()
                            ? "; each entry's outcome compared with the recorded one, `reprise.recovery.compare=" + recovery.compare() + "`" : "",
                    rate(rate.median()), spread(rate, Report::rate)));
            recovery.journals().stream().filter(j -> j.entries() == n).findFirst().ifPresent(j -> line(String.format(Locale.ROOT,
                    "| Journal bytes on disk per entry%s, %s entries | **%.1f** |", recovery.outcomes() ? " (request + outcome record)" : "",
                    count(n), (double) j.allocatedBytes() / j.entries())));
        }
        if (servletReplay != null) {
            for (String server : servletServers()) {
                Stats ratio = Stats.of(servletRuns(server).stream().map(ServletReplayBench.Run::ratio).toList());
                line("| Replay rate on " + serverName(server) + " (the ledger, Spring MVC) against the same requests served live on one"
                        + " connection | **" + times(ratio.median()) + "×**" + spread(ratio, Report::times) + " |");
            }
        }
        line();
    }

    private List<String> servletServers() {
        return servletReplay.runs().stream().map(ServletReplayBench.Run::server).distinct().toList();
    }

    private List<ServletReplayBench.Run> servletRuns(String server) {
        return servletReplay.runs().stream().filter(r -> r.server().equals(server)).toList();
    }

    private static String serverName(String server) {
        return switch (server) {
            case "tomcat" -> "Tomcat";
            case "jetty" -> "Jetty";
            default -> server;
        };
    }

    private String ratioText(String scenario, String against, String mix, int connections) {
        for (String id : List.of(scenario, against)) {
            if (!ran(id)) {
                return "not measured in this run (not among its `--scenarios`)";
            }
        }
        if (load.unavailable().containsKey(scenario)) {
            return "not measured: " + load.unavailable().get(scenario);
        }
        if (load.unavailable().containsKey(against)) {
            return "not measured: " + load.unavailable().get(against);
        }
        Stats ratio = ratio(scenario, against, mix, connections);
        return String.format(Locale.ROOT, "**%.2f×**%s (%s against %s req/s)", ratio.median(), spread(ratio, v -> String.format(Locale.ROOT, "%.2f", v)),
                rate(rps(scenario, mix, connections).median()), rate(rps(against, mix, connections).median()));
    }

    // ---------------------------------------------------------------- machine

    private void machineSection() {
        if (machine == null) {
            return;
        }
        line("## Machine");
        line();
        line("| | |");
        line("|---|---|");
        line("| CPU | " + machine.cpu() + ", " + machine.cores() + " cores (`nproc`) |");
        line("| memory | " + machine.memory() + " |");
        line("| kernel | " + machine.kernel() + " |");
        line("| OS | " + machine.os() + " |");
        line("| JDK (every JVM of the run) | " + machine.jdk() + " |");
        line("| disk (data directories, journals, Redis AOF, PostgreSQL WAL) | " + machine.disk() + " |");
        line("| load average before / after the run (1, 5, 15 min) | " + machine.loadBefore() + " / " + machine.loadAfter() + " |");
        line("| client | " + machine.wrk() + " |");
        line("| Redis | " + machine.redis() + " |");
        line("| PostgreSQL | " + machine.postgres() + " |");
        line("| Reprise commit | " + machine.commit() + " |");
        line();
        line("Client, services, Redis and PostgreSQL all run on this one machine and talk over loopback; they share its cores.");
        line();
    }

    // ---------------------------------------------------------------- load

    private int maxConnections() {
        return load.connections().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    private List<LoadBench.Row> rows(String scenario, String mix, int connections) {
        return load.rows().stream().filter(r -> r.scenario().equals(scenario) && r.mix().equals(mix) && r.connections() == connections).toList();
    }

    private Stats rps(String scenario, String mix, int connections) {
        return Stats.of(rows(scenario, mix, connections).stream().map(r -> r.wrk().rps()).toList());
    }

    /** Whether the rows at this mix and connection count carry the probe's latencies. */
    private boolean probed(String mix, int connections) {
        return load.rows().stream().anyMatch(r -> r.mix().equals(mix) && r.connections() == connections && r.probe() != null);
    }

    private Stats latency(String scenario, String mix, int connections, ToDoubleFunction<LoadBench.Row> us) {
        return Stats.of(rows(scenario, mix, connections).stream().map(r -> us.applyAsDouble(r) / 1e3).toList());
    }

    /** Per repetition, a figure of scenario against the same figure of the other in that repetition; then the median. */
    private Stats ratio(String scenario, String against, String mix, int connections, ToDoubleFunction<LoadBench.Row> of) {
        List<Double> ratios = new ArrayList<>();
        for (LoadBench.Row r : rows(scenario, mix, connections)) {
            rows(against, mix, connections).stream().filter(b -> b.run() == r.run()).findFirst()
                    .ifPresent(b -> ratios.add(of.applyAsDouble(r) / of.applyAsDouble(b)));
        }
        return Stats.of(ratios);
    }

    /** Per repetition, the throughput of scenario against the other's in the same repetition; then the median. */
    private Stats ratio(String scenario, String against, String mix, int connections) {
        return ratio(scenario, against, mix, connections, r -> r.wrk().rps());
    }

    /** The scenarios this run set out to measure (all of them in results written before {@code --scenarios}). */
    private List<Scenario> ranScenarios() {
        if (load.scenarios() == null) {
            return Scenario.ALL.stream().filter(s -> s.store() != Scenario.Store.PREVIOUS_AGENT).toList();
        }
        return load.scenarios().stream().map(Scenario::byId).toList();
    }

    private boolean ran(String id) {
        return ranScenarios().stream().anyMatch(s -> s.id().equals(id));
    }

    private List<Scenario> measured() {
        return ranScenarios().stream().filter(s -> !load.unavailable().containsKey(s.id())).toList();
    }

    /** What a crash loses in each scenario, for the table that says so. */
    private static String[] losses(Scenario s) {
        return switch (s.id()) {
            case "baseline" -> new String[] {"everything", "everything"};
            case "agent-none", Scenario.PREVIOUS_NONE -> new String[] {"nothing", "what the page cache had not written back"};
            case "agent-batch" -> new String[] {"nothing", "at most `reprise.sync.interval`"};
            case "redis-everysec" -> new String[] {"nothing (the state is in Redis)", "about the last second"};
            default -> new String[] {"nothing", "nothing"};
        };
    }

    private void loadSection() throws IOException {
        line("## 1. What a request costs: the counter under load");
        line();
        rerunNote("load");
        if (load == null) {
            line("Not run.");
            line();
            return;
        }
        line(String.format(Locale.ROOT, "The counter service of `samples/counter` (JDK HTTP server, 16 worker threads, TCP_NODELAY), in %s"
                + " variants that differ only in where the counter is kept. [wrk](https://github.com/wg/wrk) drives it over loopback"
                + " for %d s per measurement with %s connections, POST only (`POST /counter/increment`) and a 90/10 mix of"
                + " `GET /counter` and POSTs; each start of a service is warmed up first (%d s POST only, %d s mix, 8 connections, not"
                + " measured). The whole matrix ran %d time(s), each scenario in a fresh process, the baseline first; every figure is"
                + " the median of the %d runs with the range in brackets, and each ratio is taken against the baseline of the same run"
                + " before the median is taken. Latencies are from writing a request to reading its response: wrk's at more than"
                + " one connection, the harness's one-request-at-a-time probe's at one (wrk's one-connection histogram does not"
                + " add up, see bench/README.md).",
                ranScenarios().size() == 7 ? "seven" : Integer.toString(ranScenarios().size()),
                load.seconds(), joinInts(load.connections()), load.warmupSeconds(), load.warmupSeconds(), load.runs(), load.runs()));
        line();
        if (!load.mixes().containsAll(LoadBench.MIXES)) {
            line("This run measured only " + String.join(" and ", load.mixes().stream().map(m -> m.equals("post") ? "the POST-only load"
                    : "the 90/10 mix").toList()) + " (`--mixes`).");
            line();
        }
        if (load.unselected() != null && !load.unselected().isEmpty()) {
            line("Only the scenarios chosen with `--scenarios` ran; not measured in this run: "
                    + String.join(", ", load.unselected().stream().map(id -> Scenario.byId(id).label()).toList()) + ".");
            line();
        }
        if (load.previousAgent() != null) {
            line("\"Agent (previous release)\" is the counter with the agent jar of an earlier release, given with `--previous-agent`: "
                    + load.previousAgent().describe() + ". Everything else about it (counter jar, JVM, options, warm-up) is as for this"
                    + " build's agent, and the two run next to each other in every repetition, swapping places from one repetition"
                    + " to the next.");
            line();
        }
        line("| scenario | a crash of the service process loses | a crash of the machine loses |");
        line("|---|---|---|");
        for (Scenario s : ranScenarios()) {
            String[] loses = losses(s);
            line("| " + s.label() + " | " + loses[0] + " | " + loses[1] + " |");
        }
        line();
        line("Like compares with like: `sync=always` with Redis `always` and PostgreSQL, `sync=batch` with Redis `everysec`. In"
                + " PostgreSQL every increment updates the same row and holds its lock until the commit is flushed, so increments"
                + " cost one WAL flush each whatever the concurrency.");
        line();
        if (!load.unavailable().isEmpty()) {
            line("Not available in this run:");
            line();
            for (var e : load.unavailable().entrySet()) {
                line("- " + Scenario.byId(e.getKey()).label() + ": " + e.getValue());
            }
            line();
        }
        for (String mix : load.mixes()) {
            String name = "load-" + mix + ".png";
            List<Plots.Line> lines = new ArrayList<>();
            for (Scenario s : measured()) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                List<String> labels = new ArrayList<>();
                for (int c : load.connections()) {
                    Stats t = rps(s.id(), mix, c);
                    if (!t.isEmpty()) {
                        x.add(t.median());
                        y.add(latency(s.id(), mix, c, r -> r.latency().p99Us()).median());
                        labels.add("c" + c);
                    }
                }
                lines.add(new Plots.Line(s.label(), x, y, s.store() != Scenario.Store.HEAP && !s.agent(), labels));
            }
            String title = mix.equals("post") ? "POST only" : "90% GET, 10% POST";
            Plots.draw(layout.imageDir().resolve(name), "Counter service, " + title + ": p99 latency against throughput",
                    "throughput (requests/s, log scale)", "p99 latency (ms, log scale)", true, true, lines);
            line("![" + title + ": p99 latency against throughput](" + image(name) + ")");
            line();
        }
        line("Each line is one scenario; its points are " + joinInts(load.connections()) + " connections (labelled " + String.join(", ", load.connections().stream().map(c -> "c" + c).toList()) + ")."
                + " Down and to the right is better. Dashed: the counter kept outside the JVM. Medians of the runs.");
        line();
        for (String mix : load.mixes()) {
            for (int c : load.connections()) {
                line("### " + (mix.equals("post") ? "POST only" : "90% GET, 10% POST") + ", " + c + " connection" + (c == 1 ? "" : "s"));
                line();
                if (probed(mix, c)) {
                    line("Requests/s from wrk; latencies from the one-request-at-a-time probe run after it on the same connection"
                            + " count (wrk's one-connection histogram does not add up; bench/README.md says how it was found).");
                    line();
                }
                line("| scenario | requests/s | × baseline | p50 ms | p99 ms | max ms | errors |");
                line("|---|---:|---:|---:|---:|---:|---:|");
                for (Scenario s : measured()) {
                    Stats t = rps(s.id(), mix, c);
                    if (t.isEmpty()) {
                        continue;
                    }
                    Stats ratio = ratio(s.id(), "baseline", mix, c);
                    long errors = rows(s.id(), mix, c).stream().mapToLong(r -> r.wrk().errors() + (r.probe() == null ? 0 : r.probe().errors())).sum();
                    line("| " + s.label() + " | " + rate(t.median()) + spread(t, Report::rate)
                            + " | " + (s.id().equals("baseline") ? "1" : times(ratio.median()))
                            + " | " + ms(latency(s.id(), mix, c, r -> r.latency().p50Us()))
                            + " | " + ms(latency(s.id(), mix, c, r -> r.latency().p99Us()))
                            + " | " + ms(latency(s.id(), mix, c, r -> r.latency().maxUs()))
                            + " | " + errors + " |");
                }
                line();
            }
        }
        previousReleaseSection();
        line("<details><summary>How each scenario was started</summary>");
        line();
        line("```");
        for (Scenario s : ranScenarios()) {
            line("# " + s.label());
            load.commands().getOrDefault(s.id(), List.of()).forEach(this::line);
        }
        line("# the client: $CONNECTIONS is " + joinInts(load.connections()).replace(" and ", " or ") + "; $THREADS is 1 for 1 connection, else 2");
        load.wrkCommands().forEach(this::line);
        line("```");
        line();
        line("</details>");
        line();
    }

    /**
     * This build's agent against the previous release's, both {@code sync=none}: per connection count, the median
     * of the per-repetition ratio (the two ran in the same repetition), with the range, and each against the
     * baseline of its repetition.
     */
    private void previousReleaseSection() {
        if (load.previousAgent() == null || !ran("agent-none") || !ran(Scenario.PREVIOUS_NONE)) {
            return;
        }
        line("### This build's agent against the previous release's, `sync=none`");
        line();
        line("The previous release: " + load.previousAgent().describe() + ". This build: commit "
                + (machine == null ? "?" : machine.commit()) + ". Each ratio is taken within a repetition (the two agents ran"
                + " next to each other in it, swapping places from one repetition to the next), then the median of the "
                + load.runs() + " repetition(s) with the range.");
        line();
        for (String mix : load.mixes()) {
            line("| " + (mix.equals("post") ? "POST only" : "90% GET, 10% POST") + ": connections | this build, requests/s"
                    + " | previous release, requests/s | **this ÷ previous** | this × baseline | previous × baseline"
                    + " | p99 ms, this / previous |");
            line("|---:|---:|---:|---:|---:|---:|---|");
            for (int c : load.connections()) {
                Stats current = rps("agent-none", mix, c);
                Stats previous = rps(Scenario.PREVIOUS_NONE, mix, c);
                if (current.isEmpty() && previous.isEmpty()) {
                    continue;
                }
                Stats ratio = ratio("agent-none", Scenario.PREVIOUS_NONE, mix, c);
                line("| " + c + " | " + rateWithSpread(current) + " | " + rateWithSpread(previous)
                        + " | **" + times(ratio.median()) + "**" + spread(ratio, Report::times)
                        + " | " + timesWithSpread(ratio("agent-none", "baseline", mix, c))
                        + " | " + timesWithSpread(ratio(Scenario.PREVIOUS_NONE, "baseline", mix, c))
                        + " | " + ms(latency("agent-none", mix, c, r -> r.latency().p99Us())) + " / "
                        + ms(latency(Scenario.PREVIOUS_NONE, mix, c, r -> r.latency().p99Us())) + " |");
            }
            line();
        }
    }

    // ---------------------------------------------------------------- recovery

    private void recoverySection() throws IOException {
        line("## 2. How long a restart takes");
        line();
        if (startup != null) {
            Stats plain = Stats.of(startup.runs().stream().map(StartupBench.Run::plainMs).toList());
            Stats agent = Stats.of(startup.runs().stream().map(StartupBench.Run::agentMs).toList());
            Stats added = Stats.of(startup.runs().stream().map(r -> r.agentMs() - r.plainMs()).toList());
            line("### Start-up with an empty journal");
            line();
            rerunNote("startup");
            line("Process start to the port serving (a connection accepted and answered), the counter without the agent and with"
                    + " it on an empty data directory, alternated, " + plain.n() + " runs each.");
            line();
            line("| | ms |");
            line("|---|---:|");
            line("| without the agent | " + ms(plain) + " |");
            line("| with the agent, empty journal | " + ms(agent) + " |");
            line("| **added by the agent** (per-run difference) | **" + ms(added) + "** |");
            line();
        }
        if (recovery != null) {
            restartSection();
        }
        if (servletReplay != null) {
            servletReplaySection();
        }
        if (pause != null) {
            pauseSection();
        }
    }

    private void servletReplaySection() {
        line("### Replay on a servlet container");
        line();
        rerunNote("servlet-replay");
        line(String.format(Locale.ROOT, "The ledger sample (`samples/ledger-spring`, Spring Boot and Spring MVC) with the agent, on Tomcat and"
                + " built with Jetty (`integration-tests/apps/ledger-jetty`). Each run opens four accounts on a fresh data directory, warms"
                + " up with %d s of `POST /transfers` from wrk on one connection, then serves them live for %d s on one connection (measured);"
                + " it is then killed with SIGKILL and started again on the same directory, where the agent replays every transfer through"
                + " Spring's dispatcher before the port opens (cold: a fresh JVM). Live is wrk's requests/s; replay is the agent's figure"
                + " from its `recovery done` line; the accounts after the restart must read as they did before the kill. Servers"
                + " alternate; medians of %d runs with the range.", servletReplay.warmupSeconds(), servletReplay.seconds(),
                servletReplay.runs().size() / Math.max(1, servletServers().size())));
        line();
        line("| server | live, requests/s on one connection | entries replayed | replay, entries/s | replay ÷ live | restart, process start → port open |");
        line("|---|---:|---:|---:|---:|---:|");
        for (String server : servletServers()) {
            List<ServletReplayBench.Run> runs = servletRuns(server);
            line("| " + serverName(server)
                    + " | " + rateWithSpread(Stats.of(runs.stream().map(ServletReplayBench.Run::liveRps).toList()))
                    + " | " + rate(Stats.of(runs.stream().map(r -> (double) r.replayed()).toList()).median())
                    + " | " + rateWithSpread(Stats.of(runs.stream().map(ServletReplayBench.Run::replayRate).toList()))
                    + " | **" + timesWithSpread(Stats.of(runs.stream().map(ServletReplayBench.Run::ratio).toList())) + "**"
                    + " | " + seconds(Stats.of(runs.stream().map(ServletReplayBench.Run::restartMs).toList())) + " s |");
        }
        line();
        line("```");
        servletReplay.commands().forEach(this::line);
        line("```");
        line();
    }

    private void restartSection() throws IOException {
        long every = recovery.snapshotEvery();
        RecoveryBench.Template t = recovery.template();
        line("### Restart time against journal length");
        line();
        rerunNote("recovery");
        line("The counter with the agent, restarted on a journal of N increments: without snapshots (the whole journal is"
                + " replayed) and with a snapshot every " + count(every) + " entries, where the newest snapshot is a full interval"
                + " behind the end of the journal (the process died just before the next snapshot: the longest replay that"
                + " setting allows). Restart time is from process start to the port serving, JVM start included;"
                + " replay time and rate are the agent's own figures from its `recovery done` log line. After each restart the"
                + " counter is read and must equal N. The journals were written directly with the journal API from an entry the"
                + " agent journaled for wrk (" + t.method() + " " + t.target() + ", headers " + String.join(", ", t.headers())
                + ", " + t.bodyBytes() + "-byte body)"
                + (recovery.outcomes() ? ", each request followed by its outcome record as the agent writes it (the status and"
                        + " the digest of the body the counter answers, e.g. " + t.outcome() + ")" : "")
                + ", with snapshots holding what the counter's provider writes; before that,"
                + " a data directory the agent wrote itself (" + t.entries() + " entries, " + t.snapshotsChecked()
                + " snapshots" + (recovery.outcomes() ? ", " + t.outcomesChecked() + " outcomes" : "")
                + ") was checked to have this layout. The page cache is warm: the journal was just written.");
        if (recovery.outcomes()) {
            line();
            line("Replay compares every entry's outcome with the recorded one (`reprise.recovery.compare=" + recovery.compare()
                    + "`; the replayed response's body digest is computed either way) and the replay time and rate include that"
                    + " comparison; a restart in which an entry diverged or had no outcome would fail the run.");
        }
        line();
        List<Plots.Line> lines = new ArrayList<>();
        for (boolean snapshots : new boolean[] {false, true}) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (RecoveryBench.Journaled j : recovery.journals()) {
                Stats s = restartStats(j.entries(), snapshots, r -> r.restartMs());
                if (!s.isEmpty()) {
                    x.add((double) j.entries());
                    y.add(s.median() / 1e3);
                }
            }
            lines.add(new Plots.Line(snapshots ? "snapshot every " + count(every) + " entries" : "no snapshot: whole journal replayed",
                    x, y, false));
        }
        if (startup != null) {
            double plain = Stats.of(startup.runs().stream().map(StartupBench.Run::plainMs).toList()).median() / 1e3;
            List<Double> x = recovery.journals().stream().map(j -> (double) j.entries()).toList();
            lines.add(new Plots.Line("JVM start without the agent (no state)", x, x.stream().map(v -> plain).toList(), true));
        }
        Plots.draw(layout.imageDir().resolve("restart.png"), "Counter with the agent: restart time against journal length",
                "journal length (entries, log scale)", "process start to port open (s, log scale)", true, true, lines);
        line("![restart time against journal length](" + image("restart.png") + ")");
        line();
        line("| journal entries | snapshots | restart s | entries replayed | replay s | replay rate, entries/s | snapshot restore ms |");
        line("|---:|---|---:|---:|---:|---:|---:|");
        for (RecoveryBench.Journaled j : recovery.journals()) {
            for (boolean snapshots : new boolean[] {false, true}) {
                Stats restart = restartStats(j.entries(), snapshots, RecoveryBench.Restart::restartMs);
                if (restart.isEmpty()) {
                    continue;
                }
                long replayed = recovery.restarts().stream().filter(r -> r.entries() == j.entries() && r.snapshots() == snapshots)
                        .mapToLong(RecoveryBench.Restart::replayed).findFirst().orElse(0);
                line("| " + count(j.entries()) + " | " + (snapshots ? "every " + count(every) : "none")
                        + " | " + seconds(restart)
                        + " | " + count(replayed)
                        + " | " + seconds(restartStats(j.entries(), snapshots, RecoveryBench.Restart::replayMs))
                        + " | " + rateWithSpread(restartStats(j.entries(), snapshots, RecoveryBench.Restart::replayRate))
                        + " | " + (snapshots && j.snapshotEntries() > 0 ? ms(restartStats(j.entries(), true, RecoveryBench.Restart::restoreMs)) : "–")
                        + " |");
            }
        }
        line();
        line("Each row: " + restartStats(recovery.journals().get(0).entries(), false, RecoveryBench.Restart::restartMs).n()
                + " restart(s), median with range.");
        line();
        warmReplayRate();
        line("### Bytes on disk per journaled request");
        line();
        line("The journal directory after writing N entries" + (recovery.outcomes() ? " (each a request record and its outcome record)" : "")
                + ": the disk blocks its files occupy (`du`) divided by N, and for"
                + " comparison their length (`du --apparent-size`): Chronicle Queue creates its files sparse and large, so the length"
                + " is mostly space never written. The index and metadata files are included, so short journals carry a fixed"
                + " overhead that long ones amortise.");
        line();
        line(recovery.outcomes()
                ? "| journal entries | bytes on disk per entry (request + outcome record) | file length per entry (sparse) | written in s |"
                : "| journal entries | bytes on disk per entry | file length per entry (sparse) | written in s |");
        line("|---:|---:|---:|---:|");
        line(String.format(Locale.ROOT, "| %s (the agent's own, through HTTP) | %.1f | %.1f | – |", count(t.entries()),
                (double) t.allocatedBytes() / t.entries(), (double) t.apparentBytes() / t.entries()));
        for (RecoveryBench.Journaled j : recovery.journals()) {
            line(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f |", count(j.entries()), (double) j.allocatedBytes() / j.entries(),
                    (double) j.apparentBytes() / j.entries(), j.writeSeconds()));
        }
        line();
    }

    /**
     * The rate once the replay path is compiled: the difference in replay time between the two longest journals over
     * the difference in entries. Short replays run mostly before the JIT has compiled the handlers and the decoder.
     */
    private void warmReplayRate() {
        List<Long> lengths = recovery.journals().stream().map(RecoveryBench.Journaled::entries).sorted().toList();
        if (lengths.size() < 2) {
            return;
        }
        long small = lengths.get(lengths.size() - 2);
        long large = lengths.get(lengths.size() - 1);
        double dt = (restartStats(large, false, RecoveryBench.Restart::replayMs).median()
                - restartStats(small, false, RecoveryBench.Restart::replayMs).median()) / 1e3;
        if (dt <= 0) {
            return;
        }
        line(String.format(Locale.ROOT, "The replay rate grows with the length of the replay, most likely because the first entries run before"
                + " the JIT has compiled the replay path (decoder, filter chain, handler). Between %s and %s entries, without"
                + " snapshots, each further entry took %.2f µs: **%s entries/s once warm** (difference of the medians).",
                count(small), count(large), dt * 1e6 / (large - small), rate((large - small) / dt)));
        line();
    }

    private Stats restartStats(long entries, boolean snapshots, ToDoubleFunction<RecoveryBench.Restart> f) {
        return Stats.of(recovery.restarts().stream().filter(r -> r.entries() == entries && r.snapshots() == snapshots)
                .map(r -> f.applyAsDouble(r)).toList());
    }

    private void pauseSection() {
        line("### How long a snapshot keeps writers paused");
        line();
        rerunNote("pause");
        line(String.format(Locale.ROOT, "The bench key/value service (`bench/services`, `KvApp`) with %s keys of 8 characters and values of 16,"
                        + " under wrk overwriting them with PUTs from %d connections for %d s, with the agent snapshotting every %s writes."
                        + " With the concurrent map, writers are paused while the provider writes the whole map into the snapshot file"
                        + " (page cache); with the persistent map only while `capture()` reads its current version, and the write-out follows"
                        + " with writers running; checksum, fsync and rename follow with writers running again. Pause and total come from the agent's log line for each snapshot;"
                        + " per run the percentiles are taken over that run's snapshots, then the median over %d runs of each map with the"
                + " range. With fewer than 100 snapshots in a run, its p99 (nearest rank) is its slowest snapshot; the row of all"
                + " snapshots together gives the p99 over every run.",
                count(pause.keys()), pause.connections(), pause.seconds(), count(pause.snapshotEvery()),
                pause.runs().stream().filter(r -> r.stateOrDefault().equals(SnapshotPauseBench.STATES.get(0))).count()));
        line();
        for (String state : SnapshotPauseBench.STATES) {
            List<SnapshotPauseBench.Run> runs = pause.runs().stream().filter(r -> r.stateOrDefault().equals(state)).toList();
            if (!runs.isEmpty()) {
                pauseTables(state, runs);
            }
        }
        line("```");
        pause.commands().forEach(this::line);
        line("```");
        line();
    }

    private void pauseTables(String state, List<SnapshotPauseBench.Run> runs) {
        line(state.equals("persistent")
                ? "#### Persistent map (Vavr `HashMap`), two-phase: `capture()` keeps the current version under the order, it is written after"
                : "#### Concurrent map (`ConcurrentHashMap`): `save()` writes it while writers wait");
        line();
        line("| per snapshot | p50 | p99 | max | snapshots per run |");
        line("|---|---:|---:|---:|---:|");
        Stats count = Stats.of(runs.stream().map(r -> r.pausedMs().size()).toList());
        line("| writers paused, ms | " + ms(Stats.of(runs.stream().map(r -> Stats.percentile(r.pausedMs(), 50)).toList()))
                + " | " + ms(Stats.of(runs.stream().map(r -> Stats.percentile(r.pausedMs(), 99)).toList()))
                + " | " + ms(Stats.of(runs.stream().map(r -> Stats.of(r.pausedMs()).max()).toList()))
                + " | " + String.format(Locale.ROOT, "%.0f", count.median()) + " |");
        List<Double> allPaused = runs.stream().flatMap(r -> r.pausedMs().stream()).toList();
        line(String.format(Locale.ROOT, "| writers paused, ms, all %d snapshots of the %d runs together | %s | %s | %s | |", allPaused.size(),
                runs.size(), ms1(Stats.percentile(allPaused, 50)), ms1(Stats.percentile(allPaused, 99)), ms1(Stats.of(allPaused).max())));
        line("| snapshot total (pause, write-out, fsync, rename), ms | " + ms(Stats.of(runs.stream().map(r -> Stats.percentile(r.totalMs(), 50)).toList()))
                + " | " + ms(Stats.of(runs.stream().map(r -> Stats.percentile(r.totalMs(), 99)).toList()))
                + " | " + ms(Stats.of(runs.stream().map(r -> Stats.of(r.totalMs()).max()).toList())) + " | |");
        line();
        line("| under this load | median of runs |");
        line("|---|---:|");
        line("| snapshot size | " + String.format(Locale.ROOT, "%.1f MB", Stats.of(runs.stream().map(r -> (double) r.snapshotBytes()).toList()).median() / 1e6) + " |");
        line("| writes/s | " + rate(Stats.of(runs.stream().map(r -> r.load().rps()).toList()).median()) + " |");
        line("| writer latency p50 / p99 / max, ms | " + ms1(Stats.of(runs.stream().map(r -> r.load().p50Us() / 1e3).toList()).median())
                + " / " + ms1(Stats.of(runs.stream().map(r -> r.load().p99Us() / 1e3).toList()).median())
                + " / " + ms1(Stats.of(runs.stream().map(r -> r.load().maxUs() / 1e3).toList()).median()) + " |");
        line();
    }

    // ---------------------------------------------------------------- JMH

    private void jmhSection() {
        line("## 3. The journal alone (JMH)");
        line();
        rerunNote("jmh");
        if (jmh == null) {
            line("Not run.");
            line();
            return;
        }
        line("Microbenchmarks of `io.reprise.journal.Journal` without HTTP (`bench/jmh`), one thread, each iteration on a fresh journal"
                + " on the same disk. Entries are the counter's increment (`POST /counter/increment`, one `Host` header) unless a body"
                + " size is given. Scores are entries per second: the median over every measured iteration of every fork, with the"
                + " range and the count.");
        line();
        line("| benchmark | what it measures | entries/s | n |");
        line("|---|---|---:|---:|");
        for (JsonNode b : jmh) {
            String name = b.get("benchmark").asText();
            name = name.substring(name.lastIndexOf('.', name.lastIndexOf('.') - 1) + 1);
            StringBuilder params = new StringBuilder();
            JsonNode p = b.get("params");
            if (p != null) {
                p.properties().forEach(e -> params.append(params.length() == 0 ? " (" : ", ").append(e.getKey()).append('=').append(e.getValue().asText()));
                if (params.length() > 0) {
                    params.append(')');
                }
            }
            List<Double> raw = new ArrayList<>();
            for (JsonNode fork : b.get("primaryMetric").get("rawData")) {
                for (JsonNode it : fork) {
                    raw.add(it.asDouble());
                }
            }
            Stats s = Stats.of(raw);
            line("| `" + name + "`" + params + " | " + describeJmh(name) + " | " + rate(s.median()) + spread(s, Report::rate)
                    + " | " + s.n() + " |");
        }
        line();
    }

    private static String describeJmh(String name) {
        if (name.endsWith("append")) {
            return "append, no fsync (`sync=none`'s journal cost)";
        }
        if (name.endsWith("appendSyncEach")) {
            return "append + fsync of each entry";
        }
        if (name.endsWith("appendSyncPer16")) {
            return "16 appends + one fsync (group commit of 16)";
        }
        if (name.endsWith("appendSyncPer256")) {
            return "256 appends + one fsync (group commit of 256)";
        }
        if (name.endsWith("next")) {
            return "read the next entry (decode, CRC check)";
        }
        return "";
    }

    // ---------------------------------------------------------------- reproduce

    private void reproduce() {
        line("## How to reproduce");
        line();
        line("From the repository root, on a quiet machine, as root (so that missing packages can be installed):");
        line();
        line("```");
        line(machine == null ? "bench/run.sh --full" : machine.command());
        line("```");
        line();
        line("It installs wrk, redis-server and PostgreSQL with apt-get if they are missing, builds the project"
                + " (`mvn -B package -DskipTests`), runs every step and rewrites this page and its plots. `bench/run.sh --smoke`"
                + " runs the same steps with tiny sizes in about a minute (CI runs it). See [bench/README.md]("
                + relative(layout.repo().resolve("bench/README.md")) + ") for the options and the method.");
        if (startup != null || recovery != null) {
            line();
            line("```");
            if (startup != null) {
                line("# start-up");
                startup.commands().forEach(this::line);
            }
            if (recovery != null) {
                line("# restarts");
                recovery.commands().forEach(this::line);
            }
            if (jmh != null) {
                line("# JMH");
                new JmhBench(plan, layout).describe().forEach(this::line);
            }
            line("```");
        }
        line();
    }

    // ---------------------------------------------------------------- formatting

    private String image(String name) {
        return relative(layout.imageDir().resolve(name));
    }

    private String relative(Path target) {
        return layout.reportFile().getParent().relativize(target.toAbsolutePath()).toString();
    }

    private void line(String s) {
        md.append(s).append('\n');
    }

    private void line() {
        md.append('\n');
    }

    static String rate(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    /** A ratio, two decimals; "–" when it could not be taken (the other scenario did not run). */
    private static String times(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String timesWithSpread(Stats s) {
        return times(s.median()) + spread(s, Report::times);
    }

    private static String rateWithSpread(Stats s) {
        return rate(s.median()) + spread(s, Report::rate);
    }

    private static String count(long n) {
        if (n >= 1_000_000 && n % 1_000_000 == 0) {
            return (n / 1_000_000) + " M";
        }
        if (n >= 1_000 && n % 1_000 == 0) {
            return (n / 1_000) + " k";
        }
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String ms1(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (v < 1) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        if (v < 10) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        if (v < 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String ms(Stats s) {
        if (s.isEmpty()) {
            return "–";
        }
        return ms1(s.median()) + spread(s, Report::ms1);
    }

    private static String seconds(Stats s) {
        if (s.isEmpty()) {
            return "–";
        }
        return ms1(s.median() / 1e3) + spread(new Stats(s.median() / 1e3, s.min() / 1e3, s.max() / 1e3, s.n()), Report::ms1);
    }

    /** "(min–max)" when there was more than one run. */
    private static String spread(Stats s, java.util.function.DoubleFunction<String> f) {
        if (s.n() < 2) {
            return "";
        }
        return " <sub>(" + f.apply(s.min()) + "–" + f.apply(s.max()) + ")</sub>";
    }

    private static String joinInts(List<Integer> values) {
        List<String> s = values.stream().map(String::valueOf).toList();
        if (s.size() <= 1) {
            return String.join("", s);
        }
        return String.join(", ", s.subList(0, s.size() - 1)) + " and " + s.get(s.size() - 1);
    }
}
