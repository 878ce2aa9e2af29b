package io.reprise.bench.load;

import io.reprise.bench.Layout;
import io.reprise.bench.proc.Commands;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Runs wrk with bench/wrk/bench.lua and reads the line its done() prints. */
public final class Wrk {

    private Wrk() {
    }

    /**
     * One wrk measurement. Latencies in microseconds, as wrk measures them (from writing a request to reading its
     * response, per connection: a closed loop, so a stalled server also holds back the requests it would have got).
     */
    public record Result(long requests, long durationUs, long connectErrors, long readErrors, long writeErrors,
                         long statusErrors, long timeouts, long p50Us, long p90Us, long p99Us, long p999Us,
                         long maxUs, double meanUs) {

        public double rps() {
            return requests / (durationUs / 1e6);
        }

        public long errors() {
            return connectErrors + readErrors + writeErrors + statusErrors + timeouts;
        }
    }

    /** wrk threads: one per connection up to the number of cores (2 here); wrk needs connections >= threads. */
    static int threads(int connections) {
        return Math.max(1, Math.min(connections, Math.min(2, Runtime.getRuntime().availableProcessors())));
    }

    public static List<String> command(Layout layout, String port, String kind, int connections, int seconds, String... extra) {
        List<String> cmd = Commands.list("wrk", "-t", threads(connections), "-c", connections, "-d", seconds + "s",
                "--timeout", "10s", "-s", layout.wrkScript(), "http://127.0.0.1:" + port, "--", kind);
        cmd.addAll(List.of(extra));
        return cmd;
    }

    public static Result run(Layout layout, int port, String kind, int connections, int seconds, String... extra)
            throws IOException, InterruptedException {
        List<String> cmd = command(layout, Integer.toString(port), kind, connections, seconds, extra);
        Commands.Result r = Commands.run(cmd, seconds + 60L);
        String line = r.output().lines().filter(l -> l.startsWith("BENCH ")).findFirst().orElse(null);
        if (!r.ok() || line == null) {
            throw new IOException("wrk failed (exit " + r.exitCode() + "): " + String.join(" ", cmd) + "\n" + r.output());
        }
        return parse(line);
    }

    static Result parse(String line) {
        Map<String, String> v = new HashMap<>();
        for (String field : line.substring("BENCH ".length()).trim().split("\\s+")) {
            int eq = field.indexOf('=');
            v.put(field.substring(0, eq), field.substring(eq + 1));
        }
        return new Result(l(v, "requests"), l(v, "duration_us"), l(v, "connect_errors"), l(v, "read_errors"),
                l(v, "write_errors"), l(v, "status_errors"), l(v, "timeouts"), l(v, "p50_us"), l(v, "p90_us"),
                l(v, "p99_us"), l(v, "p999_us"), l(v, "max_us"), Double.parseDouble(v.get("mean_us")));
    }

    private static long l(Map<String, String> v, String key) {
        String s = v.get(key);
        if (s == null) {
            throw new IllegalArgumentException("wrk's BENCH line has no " + key);
        }
        return Long.parseLong(s);
    }
}
