package io.reprise.bench.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Short-lived commands (wrk, du, pg_ctl): run to the end, output captured. */
public final class Commands {

    private Commands() {
    }

    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code command}, stdout and stderr together, and waits at most {@code timeoutSeconds}. */
    public static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("reprise-bench-cmd", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new IOException("timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Runs it and returns its output, or throws with the output if it failed. */
    public static String check(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Result r = run(command, timeoutSeconds);
        if (!r.ok()) {
            throw new IOException("exit " + r.exitCode() + ": " + String.join(" ", command) + "\n" + r.output());
        }
        return r.output();
    }

    /** The first line a command prints, or "?" if it cannot run. */
    public static String firstLine(String... command) {
        try {
            Result r = run(List.of(command), 30);
            return r.output().lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst().orElse("?");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    /** The executable named {@code name} on the PATH, or null. */
    public static Path which(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    public static List<String> list(Object... parts) {
        List<String> l = new ArrayList<>();
        for (Object p : parts) {
            l.add(String.valueOf(p));
        }
        return l;
    }
}
