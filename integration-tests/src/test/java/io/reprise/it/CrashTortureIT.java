package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL at random moments while four clients write, in every sync mode, with snapshots taken every few
 * dozen requests (so kills also land in the middle of snapshots). After every kill:
 * <ul>
 *   <li>the service starts again (snapshot + tail), and its state equals a replay of the whole journal from
 *       scratch (a second JVM on a copy of the journal without snapshots);</li>
 *   <li>every acknowledged request is in the journal: acknowledged ≤ journal entries ≤ sent.</li>
 * </ul>
 * The journal is kept whole ({@code reprise.journal.retain=all}) so that the from-scratch replay can read all of it.
 * Cycles per sync mode: {@code -Dreprise.torture.cycles=N} (default 17, so 51 kills per JDK); the random
 * seed is printed and can be fixed with {@code -Dreprise.torture.seed=S}.
 */
class CrashTortureIT {

    static final Duration START = Duration.ofSeconds(60);
    static final String[] SNAPSHOTS_OFTEN = {"-Dreprise.snapshot.every=40", "-Dreprise.snapshot.interval=300ms", "-Dreprise.snapshot.keep=2"};

    @TempDir
    Path work;

    @Test
    void acknowledgedWritesSurviveRandomSigkillsInEverySyncMode() throws Exception {
        int cycles = Integer.getInteger("reprise.torture.cycles", 17);
        long seed = Long.getLong("reprise.torture.seed", System.nanoTime());
        System.out.println("CrashTortureIT: seed " + seed + ", " + cycles + " kills per sync mode");
        Random random = new Random(seed);
        long kills = 0;
        long checked = 0;
        for (String mode : List.of("none", "batch", "always")) {
            Path data = work.resolve(mode);
            long acknowledged = 0;
            long sent = 0;
            long expected = 0; // the state a from-scratch replay of the journal gives
            for (int cycle = 0; cycle <= cycles; cycle++) {
                String name = mode + "-" + cycle;
                int port = Launch.freePort();
                try (ChildJvm app = ChildJvm.start(name, work, Launch.counter(data, port, options(mode)))) {
                    app.awaitPort(port, START);
                    assertThat(Http.get(port)).as("%s: state after restart equals a replay of the journal from scratch", name)
                            .isEqualTo(expected);
                    if (cycle == cycles) {
                        break; // the last restart was checked
                    }
                    Load load = Load.start(port, 4);
                    Thread.sleep(50 + random.nextInt(600));
                    app.kill();
                    kills++;
                    long[] counts = load.stop();
                    sent += counts[0];
                    acknowledged += counts[1];
                }
                Scratch scratch = replayFromScratch(data, name);
                assertThat(scratch.entries).as("%s: every acknowledged request is in the journal", name)
                        .isGreaterThanOrEqualTo(acknowledged)
                        .isLessThanOrEqualTo(sent);
                expected = scratch.value;
                checked++;
            }
            System.out.printf("CrashTortureIT: sync=%s: %d kills, %d requests acknowledged, %d sent%n", mode, cycles, acknowledged, sent);
        }
        System.out.printf("CrashTortureIT: %d SIGKILLs, %d restarts checked against a from-scratch replay, 0 lost, 0 divergent%n", kills, checked);
        assertThat(kills).isEqualTo(3L * cycles);
    }

    private static String[] options(String mode) {
        List<String> options = new ArrayList<>(List.of(SNAPSHOTS_OFTEN));
        options.add("-Dreprise.sync=" + mode);
        options.add("-Dreprise.sync.interval=50ms");
        // The check replays the whole journal from scratch, so nothing of it may be deleted. With the default
        // retention, a run crossing midnight UTC (the journal rolls daily) lost the previous day's file once
        // the snapshots covered it, and the scratch replay rightly refused to start on a partial journal.
        options.add("-Dreprise.journal.retain=all");
        return options.toArray(String[]::new);
    }

    record Scratch(long value, long entries) {
    }

    /** Copies the journal (not the snapshots) and lets a fresh JVM replay all of it. */
    private Scratch replayFromScratch(Path data, String name) throws Exception {
        Path copy = work.resolve("scratch-" + name);
        copyTree(data.resolve("journal"), copy.resolve("journal"));
        int port = Launch.freePort();
        try (ChildJvm scratch = ChildJvm.start("scratch-" + name, work, Launch.counter(copy, port))) {
            scratch.awaitPort(port, START);
            Matcher done = scratch.awaitOutput(CounterRecoveryIT.RECOVERY_DONE, START);
            assertThat(done.group(1)).as("no snapshot in the copy").isEqualTo("-1");
            long value = Http.get(port);
            scratch.kill();
            return new Scratch(value, Long.parseLong(done.group(2)));
        } finally {
            deleteTree(copy);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Clients mixing PUT and POST as fast as they can, counting what they sent and what was acknowledged. */
    static final class Load {
        private final ExecutorService pool;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Future<long[]>> clients = new ArrayList<>();

        private Load(int clients) {
            this.pool = Executors.newFixedThreadPool(clients);
        }

        static Load start(int port, int clients) {
            Load load = new Load(clients);
            for (int c = 0; c < clients; c++) {
                load.clients.add(load.pool.submit(() -> {
                    long sent = 0;
                    long acknowledged = 0;
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < 1_000_000 && !load.stop.get(); i++) {
                        sent++;
                        try {
                            if (random.nextInt(5) == 0) {
                                Http.set(port, random.nextLong(1_000_000));
                            } else {
                                Http.increment(port);
                            }
                            acknowledged++;
                        } catch (IOException killed) {
                            break; // the service died under this request
                        }
                    }
                    return new long[] {sent, acknowledged};
                }));
            }
            return load;
        }

        /** Stops the clients; returns {sent, acknowledged}. */
        long[] stop() throws Exception {
            stop.set(true);
            long[] total = new long[2];
            for (Future<long[]> f : clients) {
                long[] c = f.get(60, TimeUnit.SECONDS);
                total[0] += c[0];
                total[1] += c[1];
            }
            pool.shutdown();
            return total;
        }
    }
}
