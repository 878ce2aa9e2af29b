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
    static final String STRACE_MISSING = "skipped: `strace -qq -e trace=none true` failed here (strace is not installed, or "
            + "ptrace is not allowed in this container); install it with `apt-get install strace` (.ci/run does) and run as a "
            + "user that may trace its own children";

    @TempDir
    Path work;

    /**
     * C1 under {@code sync=always}, read off the kernel's side: strace sees every journal fsync and every byte the server
     * sends, and {@link FsyncOrder} checks that for each acknowledged request an fsync of the journal file started after
     * the request was read and returned before the first byte of its response was written. The same check on a
     * {@code sync=none} trace must reject every acknowledgement, or it proves nothing.
     */
    @Test
    void syncAlwaysForcesTheJournalFileBeforeEachAcknowledgementAndNoneNever() throws Exception {
        assumeTrue(straceWorks(), STRACE_MISSING);
        int requests = 20;
        Traced always = traced("always", requests);
        FsyncOrder.Verdict verdict = FsyncOrder.check(always.lines(), always.port());
        assertThat(verdict.acknowledged()).as("responses to the %d increments found in %s", requests, always.trace())
                .isEqualTo(requests);
        assertThat(verdict.violations()).as("sync=always: responses sent before a journal fsync returned (%s)", always.trace())
                .isEmpty();

        Traced none = traced("none", requests);
        assertThat(countJournalFsyncs(none.trace())).as("sync=none never forces the journal").isZero();
        FsyncOrder.Verdict unforced = FsyncOrder.check(none.lines(), none.port());
        assertThat(unforced.acknowledged()).as("responses found in %s", none.trace()).isEqualTo(requests);
        assertThat(unforced.violations()).as("the same check rejects every acknowledgement of sync=none").hasSize(requests);
    }

    record Traced(Path trace, int port, List<String> lines) {
    }

    /** Runs the counter under strace, sends {@code requests} increments one after the other, kills it. */
    private Traced traced(String mode, int requests) throws Exception {
        Path trace = work.resolve(mode + ".trace");
        int port = Launch.freePort();
        List<String> strace = List.of("strace", "-f", "-yy", "-ttt", "-qq",
                "-e", "trace=fsync,fdatasync,read,readv,recvfrom,recvmsg,write,writev,sendto,sendmsg", "-o", trace.toString());
        try (ChildJvm app = ChildJvm.start(mode, work, strace, Launch.counter(work.resolve(mode), port, "-Dreprise.sync=" + mode))) {
            app.awaitPort(port, START);
            for (int i = 0; i < requests; i++) {
                Http.increment(port);
            }
            app.kill();
        }
        return new Traced(trace, port, Files.readAllLines(trace, java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    @Test
    void syncBatchForcesTheJournalInTheBackground() throws Exception {
        assumeTrue(straceWorks(), STRACE_MISSING);
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

    private static List<String> strace(Path trace) {
        return List.of("strace", "-f", "-y", "-qq", "-e", "trace=fsync,fdatasync", "-o", trace.toString());
    }

    private static final java.util.regex.Pattern JOURNAL_FSYNC = java.util.regex.Pattern.compile("\\b(?:fsync|fdatasync)\\(\\d+<[^>]*\\.cq4>");

    /** fsync/fdatasync calls started on a Chronicle cycle file (strace -y prints the path of each descriptor). */
    private static long countJournalFsyncs(Path trace) throws IOException {
        if (!Files.exists(trace)) {
            return 0;
        }
        return Files.readAllLines(trace, java.nio.charset.StandardCharsets.ISO_8859_1).stream()
                .filter(l -> JOURNAL_FSYNC.matcher(l).find())
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

    /**
     * A request that threw live (POST /fail) throws the same way on replay: no longer a reason to stop (ReplayOutcomeIT).
     * What still stops recovery, unless the operator says skip, is an entry without an outcome (its process died
     * inside the handler) whose handler throws on replay: nothing says what it did live.
     */
    @Test
    void anEntryWithoutAnOutcomeThatThrowsOnReplayStopsRecoveryUnlessTheOperatorSaysSkip() throws Exception {
        Path data = work.resolve("data");
        String halt = "-Dfixture.halt.dir=" + Files.createDirectories(work.resolve("markers"));
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.fixture(data, port, halt))) {
            app.awaitPort(port, START);
            Http.increment(port);
            try {
                Http.send(port, "POST", "/fail", null);
            } catch (IOException expected) {
                // the JDK server closes the connection when a handler throws
            }
            Http.increment(port);
            try {
                Http.send(port, "POST", "/halt", null);
            } catch (IOException expected) {
                // the JVM halts inside the handler: journaled, no outcome
            }
            assertThat(app.waitFor(START)).as("Runtime.halt(9) in the handler").isEqualTo(9);
        }
        String failOnReplay = "-Dfixture.fail-on-replay=/halt";
        int port2 = Launch.freePort();
        try (ChildJvm stops = ChildJvm.start("stops", work, Launch.fixture(data, port2, halt, failOnReplay))) {
            assertThat(stops.waitFor(START)).as("recovery failed, the JVM ended").isNotZero();
            assertThat(stops.output())
                    .containsPattern("replaying journal entry at position \\d+ \\(POST /halt\\) failed: "
                            + "java.lang.IllegalStateException: fixture.fail-on-replay=/halt")
                    .contains("reprise.recovery.on-error=skip")
                    .as("POST /fail threw live and on replay: the same outcome").doesNotContain("(POST /fail) failed");
            assertThat(ChildJvm.accepts(port2)).isFalse();
        }
        int port3 = Launch.freePort();
        try (ChildJvm skips = ChildJvm.start("skips", work,
                Launch.fixture(data, port3, halt, failOnReplay, "-Dreprise.recovery.on-error=skip"))) {
            skips.awaitPort(port3, START);
            assertThat(Http.get(port3)).isEqualTo(2);
            String done = skips.awaitOutput(CounterRecoveryIT.RECOVERY_DONE + "[^\\n]*", START).group();
            assertThat(done).contains("replayed 4 entries").contains(", 1 failed and skipped").doesNotContain("diverged");
        }
    }

    @Test
    void aFullDiskRefusesWritesWith503KeepsReadsAndRecoversWhenSpaceReturns() throws Exception {
        Path volume = Files.createDirectories(work.resolve("small-volume"));
        String mounted = run("mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", volume.toString());
        assumeTrue(mounted == null, "skipped: `mount -t tmpfs -o size=256m` failed here (" + mounted + "); it needs root, "
                + "or CAP_SYS_ADMIN in a container: run the integration tests as root, as .ci/run does in CI");
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
