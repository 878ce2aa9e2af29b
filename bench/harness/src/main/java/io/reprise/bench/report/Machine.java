package io.reprise.bench.report;

import io.reprise.bench.Layout;
import io.reprise.bench.proc.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * What the numbers were taken on, read when the run starts; the load average is read again at the end, since the
 * numbers only mean something on a quiet machine.
 *
 * @param loadBefore /proc/loadavg's 1, 5 and 15 minute averages before the run
 * @param loadAfter  the same after it (the benchmark's own load included)
 */
public record Machine(String started, String cpu, int cores, String memory, String kernel, String os, String jdk,
                      String disk, String loadBefore, String loadAfter, String commit, String wrk, String redis,
                      String postgres, String command, double minutes) {

    public static Machine read(Layout layout, String command) {
        return new Machine(
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").format(Instant.now().atOffset(ZoneOffset.UTC)),
                readCpu(), Runtime.getRuntime().availableProcessors(), readMemory(),
                Commands.firstLine("uname", "-sr"), readOs(), readJdk(layout), readDisk(layout), readLoad(),
                null, readCommit(), Commands.firstLine("wrk", "-v").replaceAll("\\s+Copyright.*", ""),
                Commands.firstLine("redis-server", "--version"), readPostgres(), command, 0);
    }

    public Machine finish(double minutes) {
        return new Machine(started, cpu, cores, memory, kernel, os, jdk, disk, loadBefore, readLoad(), commit, wrk, redis,
                postgres, command, minutes);
    }

    /**
     * Where a step measured again on its own (not as part of a whole run) records what it was measured on, so that
     * the report keeps the whole run's header and says which sections are newer.
     */
    public static String rerunFile(String step) {
        return "machine-" + step + ".json";
    }

    /** The 1-minute load average before the run: above 0.5 on 2 cores, something else was running. */
    public double loadBefore1m() {
        try {
            return Double.parseDouble(loadBefore.split("\\s+")[0]);
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    private static String readCpu() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String readMemory() {
        try {
            return Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .map(l -> String.format("%.1f GiB", Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0))
                    .findFirst().orElse("?");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String readOs() {
        try {
            return Files.readAllLines(Path.of("/etc/os-release")).stream().filter(l -> l.startsWith("PRETTY_NAME="))
                    .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", "")).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String readJdk(Layout layout) {
        try {
            List<String> lines = Commands.run(List.of(layout.java().toString(), "-version"), 30).output().lines()
                    .filter(l -> !l.isBlank()).toList();
            return lines.size() >= 2 ? lines.get(0) + "; " + lines.get(1) : String.join("; ", lines);
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    private static String readDisk(Layout layout) {
        try {
            List<String> lines = Commands.check(List.of("df", "-hT", layout.work().toString()), 30).lines().toList();
            if (lines.size() < 2) {
                return "?";
            }
            String[] f = lines.get(1).trim().split("\\s+");
            return f[1] + " on " + f[0] + " (" + f[2] + ", " + f[4] + " free), mounted at " + f[6];
        } catch (IOException | InterruptedException | RuntimeException e) {
            return "?";
        }
    }

    private static String readLoad() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String readCommit() {
        String head = Commands.firstLine("git", "rev-parse", "--short", "HEAD");
        try {
            boolean dirty = !Commands.run(List.of("git", "status", "--porcelain", "--untracked-files=no"), 30).output().isBlank();
            return dirty ? head + " (with uncommitted changes)" : head;
        } catch (IOException | InterruptedException e) {
            return head;
        }
    }

    private static String readPostgres() {
        Path pgCtl = Commands.which("pg_ctl");
        if (pgCtl != null) {
            return Commands.firstLine(pgCtl.toString(), "--version");
        }
        Path debian = Path.of("/usr/lib/postgresql");
        try (var versions = Files.list(debian)) {
            return versions.map(v -> v.resolve("bin/pg_ctl")).filter(Files::isExecutable).sorted().reduce((a, b) -> b)
                    .map(p -> Commands.firstLine(p.toString(), "--version")).orElse("not installed");
        } catch (IOException e) {
            return "not installed";
        }
    }
}
