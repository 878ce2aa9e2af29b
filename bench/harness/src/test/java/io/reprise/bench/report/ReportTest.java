package io.reprise.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.bench.Json;
import io.reprise.bench.Layout;
import io.reprise.bench.Plan;
import io.reprise.bench.load.LoadBench;
import io.reprise.bench.load.PreviousAgent;
import io.reprise.bench.load.Wrk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report's comparison with the previous release, drawn from a load step's results. */
class ReportTest {

    private static Wrk.Result rps(long requestsPerSecond) {
        return new Wrk.Result(requestsPerSecond, 1_000_000, 0, 0, 0, 0, 0, 100, 200, 300, 400, 500, 150);
    }

    @Test
    void givesTheMedianOfPerRepetitionRatiosAgainstThePreviousRelease(@TempDir Path dir) throws Exception {
        // Per repetition this build / previous is 0.8, 0.9 and 1.1: median 0.90 (the ratio of the medians would be 1.10).
        long[][] runs = {{1000, 800, 1000}, {3000, 2700, 3000}, {1000, 1100, 1000}}; // baseline, agent-none, previous-none
        List<LoadBench.Row> rows = new ArrayList<>();
        for (int run = 1; run <= runs.length; run++) {
            rows.add(new LoadBench.Row("baseline", "post", 8, run, rps(runs[run - 1][0])));
            rows.add(new LoadBench.Row("agent-none", "post", 8, run, rps(runs[run - 1][1])));
            rows.add(new LoadBench.Row("previous-none", "post", 8, run, rps(runs[run - 1][2])));
        }
        PreviousAgent previous = new PreviousAgent("/tmp/prev/agent/target/reprise-agent.jar", "release before outcomes",
                "Reprise agent 0.1.0-SNAPSHOT", "8adf40e", "ab".repeat(32));
        LoadBench.Results load = new LoadBench.Results(List.of("baseline", "agent-none", "previous-none"), List.of("post"),
                List.of(8), 3, 10, 3, rows, Map.of(), Map.of(), List.of(), null, null,
                List.of("agent-batch", "agent-always", "redis-everysec", "redis-always", "postgres"), previous);
        Layout layout = new Layout(dir, Path.of("java"), dir.resolve("work"), dir.resolve("out/benchmarks.md"), dir.resolve("out/benchmarks"));
        Json.write(layout.results().resolve("load.json"), load);

        Report.write(layout, Plan.full());

        String md = Files.readString(layout.reportFile());
        assertThat(md).contains("### This build's agent against the previous release's, `sync=none`");
        assertThat(md).contains("release before outcomes: `/tmp/prev/agent/target/reprise-agent.jar`, Reprise agent 0.1.0-SNAPSHOT,"
                + " built in a checkout of commit 8adf40e");
        // connections | this build | previous | this ÷ previous | this × baseline | previous × baseline | p99
        assertThat(md).contains("| 8 | 1,100 <sub>(800–2,700)</sub> | 1,000 <sub>(1,000–3,000)</sub> | **0.90** <sub>(0.80–1.10)</sub>"
                + " | 0.90 <sub>(0.80–1.10)</sub> | 1.00 <sub>(1.00–1.00)</sub> |");
        assertThat(md).contains("**0.90×** <sub>(0.80–1.10)</sub>"); // the headline
        assertThat(md).contains("not measured in this run (not among its `--scenarios`)");
        assertThat(md).contains("Only the scenarios chosen with `--scenarios` ran");
        assertThat(md).contains("| agent (previous release), sync=none | nothing | what the page cache had not written back |");
        assertThat(md).contains("its points are 8 connections (labelled c8)").contains("# the client: $CONNECTIONS is 8;");
        assertThat(md).doesNotContain("NaN");
    }
}
