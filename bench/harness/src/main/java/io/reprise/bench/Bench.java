package io.reprise.bench;

import io.reprise.bench.load.LoadBench;
import io.reprise.bench.micro.JmhBench;
import io.reprise.bench.recovery.RecoveryBench;
import io.reprise.bench.recovery.ServletReplayBench;
import io.reprise.bench.recovery.SnapshotPauseBench;
import io.reprise.bench.recovery.StartupBench;
import io.reprise.bench.report.Machine;
import io.reprise.bench.report.Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The benchmark harness: {@code bench/run.sh} builds the project and calls this from the repository root.
 *
 * <pre>
 * java [Chronicle's --add-opens] -jar bench/harness/target/bench-harness.jar --smoke|--full
 *      [--steps load,startup,recovery,servlet-replay,pause,jmh,report] [--work DIR] [--report FILE] [--java PATH]
 *      [--scenarios ID,...] [--previous-agent JAR [--previous-agent-label TEXT]]
 *      [--runs N] [--seconds N] [--connections N,...] [--mixes post,mix] [--journal-lengths N,...]
 * </pre>
 *
 * Each step writes its results as JSON into {@code <work>/results}; the report step turns whatever is there into
 * the Markdown report and its plots, so a step can be rerun alone and the report redrawn.
 */
public final class Bench {

    /** Chronicle's and the journal's INFO lines would drown the harness's own output; kept so they stay set. */
    private static final java.util.logging.Logger[] QUIET = {
            java.util.logging.Logger.getLogger("net.openhft"), java.util.logging.Logger.getLogger("io.reprise.journal")};

    public static final List<String> STEPS = List.of("load", "startup", "recovery", "servlet-replay", "pause", "jmh", "report");

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        for (java.util.logging.Logger logger : QUIET) {
            logger.setLevel(java.util.logging.Level.WARNING);
        }
        Plan plan = null;
        Set<String> steps = new LinkedHashSet<>(STEPS);
        Path work = null;
        Path report = null;
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        String command = "bench/run.sh";
        List<String> scenarios = null;
        Path previousAgent = null;
        String previousLabel = null;
        Integer runs = null;
        Integer seconds = null;
        List<Integer> connections = null;
        List<Long> journalLengths = null;
        List<String> mixes = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--smoke" -> plan = Plan.smoke();
                case "--full" -> plan = Plan.full();
                case "--steps" -> {
                    steps = new LinkedHashSet<>(List.of(args[++i].split(",")));
                    for (String s : steps) {
                        if (!STEPS.contains(s)) {
                            fail("unknown step " + s + "; steps are " + String.join(",", STEPS));
                        }
                    }
                }
                case "--work" -> work = Path.of(args[++i]);
                case "--report" -> report = Path.of(args[++i]);
                case "--java" -> java = Path.of(args[++i]);
                case "--command" -> command = args[++i];
                case "--scenarios" -> {
                    try {
                        scenarios = io.reprise.bench.load.Scenario.parse(args[++i]);
                    } catch (IllegalArgumentException e) {
                        fail("--scenarios: " + e.getMessage());
                    }
                }
                case "--previous-agent" -> previousAgent = Path.of(args[++i]);
                case "--previous-agent-label" -> previousLabel = args[++i];
                case "--runs", "--rounds" -> runs = positive(args[i], args[++i]);
                case "--seconds" -> seconds = positive(args[i], args[++i]);
                case "--connections" -> connections = positives(args[i], args[++i]).stream().map(Long::intValue).toList();
                case "--journal-lengths" -> journalLengths = positives(args[i], args[++i]);
                case "--mixes" -> mixes = List.of(args[++i].split(","));
                default -> fail("unknown option " + args[i]);
            }
        }
        if (plan == null) {
            fail("say --smoke (every step, tiny sizes, about a minute) or --full (the report's run)");
        }
        plan = plan.withLoad(runs, seconds, connections).withJournalLengths(journalLengths);
        if (previousAgent != null && !Files.isRegularFile(previousAgent)) {
            fail("--previous-agent " + previousAgent + ": no such file; build the earlier release's agent first"
                    + " (bench/README.md, \"Against the previous release\")");
        }
        if (previousLabel != null && previousAgent == null) {
            fail("--previous-agent-label names the jar of --previous-agent, which was not given");
        }
        LoadBench.Selection selection = null;
        try {
            selection = new LoadBench.Selection(scenarios, previousAgent, previousLabel, mixes);
            selection.check();
        } catch (IllegalArgumentException e) {
            fail(e.getMessage());
        }
        Path repo = Path.of("").toAbsolutePath();
        if (work == null) {
            work = repo.resolve("bench/target/work-" + plan.mode());
        }
        if (report == null) {
            report = plan.smokeMode() ? repo.resolve("bench/target/report-smoke/benchmarks.md") : repo.resolve("docs/benchmarks.md");
        }
        Path images = report.resolveSibling(stripExtension(report.getFileName().toString()));
        Layout layout = new Layout(repo, java, work.toAbsolutePath(), report.toAbsolutePath(), images.toAbsolutePath());
        layout.check();

        List<String> measuring = new ArrayList<>(steps);
        measuring.remove("report");
        boolean whole = measuring.size() == STEPS.size() - 1;
        if (whole) {
            deleteRecursively(layout.results()); // a whole run: nothing from an earlier one may leak into the report
        }
        Files.createDirectories(layout.results());
        long started = System.nanoTime();
        if (!measuring.isEmpty()) {
            Machine machine = Machine.read(layout, command);
            System.out.printf("bench: %s run on %s, %d cores, load average %s; work directory %s%n", plan.mode(),
                    machine.cpu(), machine.cores(), machine.loadBefore(), layout.show(work));
            if (machine.loadBefore1m() > 0.5 * machine.cores()) {
                System.out.println("bench: WARNING: the machine is busy (load average " + machine.loadBefore()
                        + "); numbers taken now are not fit for the report");
            }
            // A step measured again on its own keeps the whole run's header (machine.json) and records itself apart.
            boolean apart = !whole && Files.exists(layout.results().resolve("machine.json"));
            if (!apart) {
                Json.write(layout.results().resolve("machine.json"), machine);
            }
            for (String step : measuring) {
                long t = System.nanoTime();
                System.out.println("bench: step " + step);
                switch (step) {
                    case "load" -> new LoadBench(plan, layout, selection).run();
                    case "startup" -> new StartupBench(plan, layout).run();
                    case "recovery" -> new RecoveryBench(plan, layout).run();
                    case "servlet-replay" -> new ServletReplayBench(plan, layout).run();
                    case "pause" -> new SnapshotPauseBench(plan, layout).run();
                    case "jmh" -> new JmhBench(plan, layout).run();
                    default -> throw new IllegalStateException(step);
                }
                System.out.printf("bench: step %s done in %.0f s%n", step, (System.nanoTime() - t) / 1e9);
                if (apart) {
                    Json.write(layout.results().resolve(Machine.rerunFile(step)), machine.finish((System.nanoTime() - t) / 6e10));
                } else {
                    Files.deleteIfExists(layout.results().resolve(Machine.rerunFile(step)));
                }
            }
            if (!apart) {
                Json.write(layout.results().resolve("machine.json"), machine.finish((System.nanoTime() - started) / 6e10));
            }
        }
        if (steps.contains("report")) {
            Report.write(layout, plan);
            System.out.println("bench: report written to " + layout.show(layout.reportFile()) + ", plots in "
                    + layout.show(layout.imageDir()));
        }
        System.out.printf("bench: done in %.1f min%n", (System.nanoTime() - started) / 6e10);
    }

    /** A positive whole number given to {@code option}, or the harness stops with a usage error. */
    private static int positive(String option, String value) {
        List<Long> v = positives(option, value);
        if (v.size() != 1 || v.get(0) > Integer.MAX_VALUE) {
            fail(option + " takes one positive whole number, not " + value);
        }
        return v.get(0).intValue();
    }

    /** Comma-separated positive whole numbers given to {@code option}, e.g. {@code 1,8,64}. */
    private static List<Long> positives(String option, String value) {
        List<Long> out = new ArrayList<>();
        for (String part : value.split(",")) {
            try {
                long n = Long.parseLong(part.trim());
                if (n <= 0) {
                    throw new NumberFormatException();
                }
                out.add(n);
            } catch (NumberFormatException e) {
                fail(option + " takes positive whole numbers separated by commas (e.g. 1,8,64), not " + value);
            }
        }
        return out;
    }

    private static String stripExtension(String name) {
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static void fail(String message) {
        System.err.println("bench: " + message);
        System.exit(64);
    }

    static void deleteRecursively(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
