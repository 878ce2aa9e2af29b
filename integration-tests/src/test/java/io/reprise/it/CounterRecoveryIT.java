package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The counter sample with the real agent: what was acknowledged before a SIGKILL is there after restart. */
class CounterRecoveryIT {

    static final Duration START = Duration.ofSeconds(60);
    static final String RECOVERY_DONE = "recovery done: snapshot position (-?\\d+), replayed (\\d+) entries";

    @TempDir
    Path work;

    @Test
    void acknowledgedIncrementsSurviveSigkillExactly() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        long acknowledged = 0;
        try (ChildJvm first = ChildJvm.start("first", work, Launch.counter(data, port))) {
            first.awaitPort(port, START);
            for (int i = 0; i < 500; i++) {
                acknowledged = Http.increment(port);
            }
            assertThat(acknowledged).isEqualTo(500);
            first.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.counter(data, port2))) {
            second.awaitPort(port2, START);
            assertThat(Http.get(port2)).as("no loss, no double apply").isEqualTo(acknowledged);
            Matcher done = second.awaitOutput(RECOVERY_DONE, START);
            assertThat(Long.parseLong(done.group(2))).isEqualTo(500);
        }
    }

    @Test
    void concurrentPutsAndIncrementsRecoverTheValueTheyLeft() throws Exception {
        // PUT and increment do not commute: if the journal order differed from the order the counter applied
        // them in, the replayed value would differ from the live one.
        Path data = work.resolve("data");
        int port = Launch.freePort();
        long before;
        long[] requests;
        try (ChildJvm first = ChildJvm.start("first", work, Launch.counter(data, port))) {
            first.awaitPort(port, START);
            requests = hammer(port, 8, Duration.ofSeconds(3));
            before = Http.get(port);
            first.kill();
        }
        long acknowledged = requests[0];
        long unanswered = requests[1];
        assertThat(acknowledged).as("requests acknowledged").isGreaterThan(100);
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.counter(data, port2))) {
            second.awaitPort(port2, START);
            assertThat(Http.get(port2)).as("the value they left, no loss, no double apply").isEqualTo(before);
            Matcher done = second.awaitOutput(RECOVERY_DONE, START);
            // A request whose connection closed without an answer may or may not have been applied, as for any client.
            assertThat(Long.parseLong(done.group(2))).isBetween(acknowledged, acknowledged + unanswered);
        }
    }

    /**
     * {@code clients} threads mixing PUT and POST until {@code duration} is over; returns the requests acknowledged and
     * those whose connection closed before any answer (printed; at most 1 in 1,000, or the test fails: seen about once
     * in 15 runs of 8 clients on the JDK server, cause not found, docs/servers.md).
     */
    static long[] hammer(int port, int clients, Duration duration) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicBoolean stop = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong unanswered = new java.util.concurrent.atomic.AtomicLong();
        List<Future<Long>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            results.add(pool.submit(() -> {
                long sent = 0;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                for (int i = 0; i < 1_000_000 && !stop.get(); i++) {
                    try {
                        if (random.nextInt(4) == 0) {
                            Http.set(port, random.nextLong(1_000_000));
                        } else {
                            Http.increment(port);
                        }
                        sent++;
                    } catch (java.io.IOException e) {
                        if (!String.valueOf(e.getMessage()).contains("received no bytes")) {
                            throw e;
                        }
                        System.out.println("CounterRecoveryIT: a request's connection closed without an answer: " + e);
                        unanswered.incrementAndGet();
                    }
                }
                return sent;
            }));
        }
        try {
            Thread.sleep(duration.toMillis());
        } finally {
            stop.set(true);
            pool.shutdown();
        }
        long total = 0;
        for (Future<Long> f : results) {
            total += f.get(60, TimeUnit.SECONDS);
        }
        pool.awaitTermination(10, TimeUnit.SECONDS);
        assertThat(unanswered.get()).as("requests left without an answer").isLessThanOrEqualTo(Math.max(1, total / 1000));
        return new long[] {total, unanswered.get()};
    }

    @Test
    void afterASnapshotOnlyTheJournalTailIsReplayed() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        String snapshotPosition;
        try (ChildJvm first = ChildJvm.start("first", work,
                Launch.counter(data, port, "-Dreprise.snapshot.every=100", "-Dreprise.snapshot.interval=1h"))) {
            first.awaitPort(port, START);
            for (int i = 0; i < 100; i++) {
                Http.increment(port);
            }
            // The 100th entry asks for a snapshot; no write runs after it, so it covers exactly 100 entries.
            snapshotPosition = first.awaitOutput("snapshot at journal position (\\d+)", START).group(1);
            for (int i = 0; i < 37; i++) {
                Http.increment(port);
            }
            first.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.counter(data, port2))) {
            second.awaitPort(port2, START);
            Matcher done = second.awaitOutput(RECOVERY_DONE, START);
            assertThat(done.group(1)).as("restored snapshot").isEqualTo(snapshotPosition);
            assertThat(done.group(2)).as("entries replayed after it").isEqualTo("37");
            assertThat(Http.get(port2)).isEqualTo(137);
        }
    }

    @Test
    void orderlyShutdownTakesAFinalSnapshotSoTheNextStartReplaysNothing() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm first = ChildJvm.start("first", work, Launch.counter(data, port))) {
            first.awaitPort(port, START);
            for (int i = 0; i < 20; i++) {
                Http.increment(port);
            }
            Http.set(port, 1000);
            Http.increment(port);
            first.terminate();
            assertThat(first.output()).contains("reprise: final snapshot at journal position");
        }
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.counter(data, port2))) {
            second.awaitPort(port2, START);
            assertThat(second.awaitOutput(RECOVERY_DONE, START).group(2)).isEqualTo("0");
            assertThat(Http.get(port2)).isEqualTo(1001);
        }
    }

    @Test
    void aSecondProcessOnTheSameDataDirectoryIsFencedBeforeTouchingIt() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm first = ChildJvm.start("first", work, Launch.counter(data, port))) {
            first.awaitPort(port, START);
            Http.increment(port);
            int port2 = Launch.freePort();
            try (ChildJvm second = ChildJvm.start("second", work, Launch.counter(data, port2))) {
                assertThat(second.waitFor(START)).isEqualTo(2);
                assertThat(second.output())
                        .contains("data directory " + data + " is in use by another process (pid " + first.pid() + ")");
                assertThat(ChildJvm.accepts(port2)).isFalse();
            }
            assertThat(Http.increment(port)).as("the first process is unaffected").isEqualTo(2);
        }
    }
}
