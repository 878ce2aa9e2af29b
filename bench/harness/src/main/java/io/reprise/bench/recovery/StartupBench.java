package io.reprise.bench.recovery;

import io.reprise.bench.Json;
import io.reprise.bench.Layout;
import io.reprise.bench.Plan;
import io.reprise.bench.proc.Ports;
import io.reprise.bench.proc.Service;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the agent adds to start-up when there is nothing to recover: the time from process start to the port
 * accepting a connection, for the counter without the agent and with it on an empty data directory, alternated so
 * that both see the same machine.
 */
public final class StartupBench {

    public record Run(int run, double plainMs, double agentMs) {
    }

    public record Results(List<Run> runs, List<String> commands) {
    }

    private final Plan plan;
    private final Layout layout;

    public StartupBench(Plan plan, Layout layout) {
        this.plan = plan;
        this.layout = layout;
    }

    public Results run() throws Exception {
        List<Run> runs = new ArrayList<>();
        Path base = layout.work().resolve("startup");
        for (int r = 1; r <= plan.startupRuns(); r++) {
            double plain = timeToPort(CounterLaunch.plain(layout, "%d"), "startup-plain-" + r);
            double agent = timeToPort(CounterLaunch.withAgent(layout, "%d", base.resolve("empty-" + r).toString()),
                    "startup-agent-" + r);
            runs.add(new Run(r, plain, agent));
            System.out.printf("startup run %d/%d: without agent %.0f ms, with agent (empty journal) %.0f ms%n",
                    r, plan.startupRuns(), plain, agent);
        }
        Results results = new Results(runs, List.of(
                CounterLaunch.show(CounterLaunch.plain(layout, "$PORT")),
                CounterLaunch.show(CounterLaunch.withAgent(layout, "$PORT", "$WORK/empty"))));
        Json.write(layout.results().resolve("startup.json"), results);
        return results;
    }

    private double timeToPort(List<String> template, String name) throws Exception {
        int port = Ports.free();
        List<String> cmd = template.stream().map(a -> a.equals("%d") ? Integer.toString(port) : a).toList();
        Service s = Service.start(name, cmd, layout.work().resolve("logs").resolve(name + ".log"));
        try {
            return s.awaitHttp(port, Duration.ofSeconds(60));
        } finally {
            s.kill();
        }
    }
}
