package io.reprise.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where things are: the repository (the harness runs from its root, so every path in a command it reports is
 * relative to it), the packaged jars, the work directory for data and logs, and where the report goes.
 */
public record Layout(Path repo, Path java, Path work, Path reportFile, Path imageDir) {

    public Path agentJar() {
        return Path.of("agent/target/reprise-agent.jar");
    }

    public Path counterJar() {
        return Path.of("samples/counter/target/counter-sample.jar");
    }

    public Path servicesJar() {
        return Path.of("bench/services/target/bench-services.jar");
    }

    public Path jmhJar() {
        return Path.of("bench/jmh/target/benchmarks.jar");
    }

    public Path wrkScript() {
        return Path.of("bench/wrk/bench.lua");
    }

    public Path results() {
        return work.resolve("results");
    }

    /** Fails early, naming what is missing and how to build it. */
    public void check() throws IOException {
        for (Path jar : new Path[] {agentJar(), counterJar(), servicesJar(), jmhJar(), wrkScript()}) {
            if (!Files.isRegularFile(repo.resolve(jar))) {
                throw new IOException(jar + " is missing: build first with `mvn -B package -DskipTests` from the"
                        + " repository root (bench/run.sh does that unless given --no-build)");
            }
        }
    }

    /** {@code path} as the report shows it: relative to the repository when inside it. */
    public String show(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        Path root = repo.toAbsolutePath().normalize();
        return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
    }
}
