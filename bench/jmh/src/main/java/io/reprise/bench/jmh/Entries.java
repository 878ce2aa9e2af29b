package io.reprise.bench.jmh;

import io.reprise.journal.Header;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** What the benchmarks journal, and where: shared set-up, not a benchmark. */
final class Entries {

    /** What the agent journals for the counter's {@code POST /counter/increment} sent by wrk. */
    static final String METHOD = "POST";
    static final String TARGET = "/counter/increment";
    static final List<Header> HEADERS = List.of(new Header("Host", "127.0.0.1:8080"));

    private Entries() {
    }

    /**
     * A new empty directory for a journal, under {@code -Dreprise.bench.dir} or the environment variable
     * {@code REPRISE_BENCH_DIR} (bench/run.sh sets it to its work directory, on the same file system as the other
     * benchmarks; an environment variable reaches JMH's forked JVMs without replacing the JVM options of
     * {@code @Fork}), or else the temporary directory.
     */
    static Path newDirectory(String prefix) throws IOException {
        String configured = System.getProperty("reprise.bench.dir", System.getenv("REPRISE_BENCH_DIR"));
        Path parent = Path.of(configured != null ? configured : System.getProperty("java.io.tmpdir"));
        Files.createDirectories(parent);
        return Files.createTempDirectory(parent, prefix);
    }

    static void delete(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
