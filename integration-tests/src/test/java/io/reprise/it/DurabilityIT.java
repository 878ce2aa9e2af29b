package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** C5 and the limits around it: fsyncs that really happen, refused bodies, failing handlers, a full disk. */
class DurabilityIT {

    static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void syncAlwaysForcesTheJournalFileBeforeEachAcknowledgementAndNoneNever() throws Exception {
        assumeTrue(straceWorks(), "strace is not installed or may not trace here; .ci/run installs it with apt-get");
        int requests = 20;
        assertThat(journalFsyncs("always", requests)).as("sequential requests under sync=always each wait for an fsync")
                .isGreaterThanOrEqualTo(requests);
        assertThat(journalFsyncs("none", requests)).as("sync=none never forces the journal").isZero();
    }

    @Test
    void syncBatchForcesTheJournalInTheBackground() throws Exception {
        assumeTrue(straceWorks(), "strace is not installed or may not trace here; .ci/run installs it with apt-get");
        Path trace = work.resolve("batch.trace");
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("batch", work, strace(trace),
                Launch.counter(work.resolve("batch"), port, "-Dreprise.sync=batch", "-Dreprise.sync.interval=20ms"))) {
            app.awaitPort(port, START);
            for (int i = 0; i < 10; i++) {
                Http.increment(port);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (countJournalFsyncs(trace) == 0 && System.nanoTime() < deadline) {
                ChildJvm.pause();
            }
            assertThat(countJournalFsyncs(trace)).isPositive();
            app.kill();
        }
    }

    private long journalFsyncs(String mode, int requests) throws Exception {
        Path trace = work.resolve(mode + ".trace");
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start(mode, work, strace(trace),
                Launch.counter(work.resolve(mode), port, "-Dreprise.sync=" + mode))) {
            app.awaitPort(port, START);
            for (int i = 0; i < requests; i++) {
                Http.increment(port);
            }
            app.kill();
        }
        return countJournalFsyncs(trace);
    }

    private static List<String> strace(Path trace) {
        return List.of("strace", "-f", "-y", "-qq", "-e", "trace=fsync,fdatasync", "-o", trace.toString());
    }

    /** fsync/fdatasync calls on a Chronicle cycle file (strace -y prints the path of each descriptor). */
    private static long countJournalFsyncs(Path trace) throws IOException {
        if (!Files.exists(trace)) {
            return 0;
        }
        return Files.readAllLines(trace).stream()
                .filter(l -> (l.contains("fdatasync(") || l.contains("fsync(")) && l.contains(".cq4>") && l.contains("= 0"))
                .count();
    }

    private static boolean straceWorks() {
        try {
            Process p = new ProcessBuilder("strace", "-qq", "-e", "trace=none", "true").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    @Test
    void aBodyOverTheLimitGets413AndIsNeitherAppliedNorJournaled() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.counter(data, port, "-Dreprise.journal.max-body=1KiB"))) {
            app.awaitPort(port, START);
            HttpResponse<String> big = Http.send(port, "PUT", "/counter", "7" + " ".repeat(2048));
            assertThat(big.statusCode()).isEqualTo(413);
            assertThat(big.body()).contains("reprise.journal.max-body");
            assertThat(Http.get(port)).isZero();
            assertThat(Http.set(port, 5)).isEqualTo(5);
            app.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.counter(data, port2, "-Dreprise.journal.max-body=1KiB"))) {
            again.awaitPort(port2, START);
            assertThat(Http.get(port2)).isEqualTo(5);
            assertThat(again.awaitOutput(CounterRecoveryIT.RECOVERY_DONE, START).group(2)).isEqualTo("1");
        }
    }

    @Test
    void aHandlerThatThrowsOnReplayStopsRecoveryUnlessTheOperatorSaysSkip() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.fixture(data, port))) {
            app.awaitPort(port, START);
            Http.increment(port);
            try {
                Http.send(port, "POST", "/fail", null);
            } catch (IOException expected) {
                // the JDK server closes the connection when a handler throws
            }
            Http.increment(port);
            app.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm stops = ChildJvm.start("stops", work, Launch.fixture(data, port2))) {
            assertThat(stops.waitFor(START)).as("recovery failed, the JVM ended").isNotZero();
            assertThat(stops.output())
                    .containsPattern("replaying journal entry at position \\d+ \\(POST /fail\\) failed: java.lang.IllegalStateException: this handler always fails")
                    .contains("reprise.recovery.on-error=skip");
            assertThat(ChildJvm.accepts(port2)).isFalse();
        }
        int port3 = Launch.freePort();
        try (ChildJvm skips = ChildJvm.start("skips", work, Launch.fixture(data, port3, "-Dreprise.recovery.on-error=skip"))) {
            skips.awaitPort(port3, START);
            assertThat(Http.get(port3)).isEqualTo(2);
            assertThat(skips.awaitOutput("replayed 3 entries in .*, 1 failed and skipped", START)).isNotNull();
        }
    }

    @Test
    void aFullDiskRefusesWritesWith503KeepsReadsAndRecoversWhenSpaceReturns() throws Exception {
        Path volume = Files.createDirectories(work.resolve("small-volume"));
        String mounted = run("mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", volume.toString());
        assumeTrue(mounted == null, "cannot mount a size-limited tmpfs here (needs root): " + mounted);
        try {
            Path data = volume.resolve("data");
            int port = Launch.freePort();
            try (ChildJvm app = ChildJvm.start("app", work, Launch.counter(data, port))) {
                app.awaitPort(port, START);
                assertThat(Http.increment(port)).isEqualTo(1);

                // Leave 16 MiB usable, below reprise.journal.min-free (64 MiB).
                Path filler = volume.resolve("filler");
                fill(filler, Files.getFileStore(volume).getUsableSpace() - (16L << 20));
                HttpResponse<String> refused = Http.send(port, "POST", "/counter/increment", null);
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.body()).contains("nearly full").contains("reprise.journal.min-free");
                assertThat(Http.get(port)).as("not applied; reads keep working").isEqualTo(1);

                Files.delete(filler);
                assertThat(Http.increment(port)).as("space is back, so are writes").isEqualTo(2);
                app.kill();
            }
            int port2 = Launch.freePort();
            try (ChildJvm again = ChildJvm.start("again", work, Launch.counter(data, port2))) {
                again.awaitPort(port2, START);
                assertThat(Http.get(port2)).as("the journal stayed valid").isEqualTo(2);
            }
        } finally {
            run("umount", "-l", volume.toString());
        }
    }

    private static void fill(Path file, long bytes) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long written = 0; written < bytes; ) {
                chunk.clear();
                chunk.limit((int) Math.min(chunk.capacity(), bytes - written));
                written += out.write(chunk);
            }
        }
    }

    /** Runs a command; null when it succeeded, else its output. */
    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "timed out";
        }
        return p.exitValue() == 0 ? null : output.isBlank() ? "exit " + p.exitValue() : output.trim();
    }
}
