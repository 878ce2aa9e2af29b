package io.reprise.bench.micro;

import com.fasterxml.jackson.databind.JsonNode;
import io.reprise.bench.Json;
import io.reprise.bench.Layout;
import io.reprise.bench.Plan;
import io.reprise.bench.proc.Service;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs the JMH jar (bench/jmh) with the plan's options; its JSON result is kept in the work directory for the
 * report. The journals the benchmarks write go to the work directory too, on the same disk as everything else.
 */
public final class JmhBench {

    private final Plan plan;
    private final Layout layout;

    public JmhBench(Plan plan, Layout layout) {
        this.plan = plan;
        this.layout = layout;
    }

    public static Path resultFile(Layout layout) {
        return layout.results().resolve("jmh.json");
    }

    /** The JMH command; JMH's options on the command line replace {@code @Fork}'s JVM options, so none is given. */
    public List<String> command(String resultFile) {
        List<String> cmd = new ArrayList<>(List.of(layout.java().toString(), "-jar", layout.jmhJar().toString()));
        cmd.addAll(plan.jmhArgs());
        cmd.addAll(List.of("-foe", "true", "-rf", "json", "-rff", resultFile));
        return cmd;
    }

    public void run() throws Exception {
        Path dir = layout.work().resolve("jmh");
        Files.createDirectories(dir);
        Files.createDirectories(layout.results());
        Path log = layout.work().resolve("logs").resolve("jmh.log");
        List<String> cmd = command(resultFile(layout).toString());
        System.out.println("jmh: " + String.join(" ", cmd) + " (output in " + layout.show(log) + ")");
        Service jmh = Service.start("jmh", cmd, log, Map.of("REPRISE_BENCH_DIR", dir.toString()));
        int exit = jmh.waitFor();
        JsonNode results = Files.exists(resultFile(layout)) ? Json.MAPPER.readTree(resultFile(layout).toFile()) : null;
        if (exit != 0 || results == null || results.size() == 0) {
            throw new IOException("JMH failed (exit " + exit + ", " + (results == null ? "no" : results.size())
                    + " results); see " + log);
        }
    }

    public List<String> describe() {
        List<String> shown = new ArrayList<>(command("jmh.json"));
        shown.set(0, "java");
        return List.of("REPRISE_BENCH_DIR=$WORK/jmh " + String.join(" ", shown));
    }
}
