package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recorded non-determinism (issue 12): what a journaled request asked of the clock and of chance on its own thread
 * (UUIDs, {@code Instant.now()}, {@code System.currentTimeMillis()}, {@code ThreadLocalRandom}, a shared
 * {@code Random}, {@code SecureRandom}, {@code Math.random()}, {@code new Date()}, {@code LocalDateTime.now()}, ...) is
 * recorded with its outcome and handed back on replay, so a service that makes its own ids and timestamps comes back
 * byte for byte; with {@code reprise.deterministic=false} the same requests diverge. Other threads keep the live
 * values, and a replay that asks for more than was recorded is reported at its entry.
 *
 * <p>The service is {@code fixtures.DeterministicApp}, which knows nothing of Reprise. It runs on a class path of its
 * own classes only (so no snapshot provider: the whole journal is replayed), or with {@code DeterministicSnapshots}
 * named in a services file beside them and the fixture libraries (so a snapshot can be taken in the middle).
 */
class RecordedValuesIT {

    static final Duration START = Duration.ofSeconds(60);
    static final String APP = "io.reprise.it.fixtures.DeterministicApp";
    static final String DIVERGED = "replay diverged at journal position";
    /** Every body is compared, not only the status: a recorded value handed back wrongly shows in the answer. */
    static final String COMPARE_BODY = "-Dreprise.recovery.compare=body";
    static final Pattern SNAPSHOT_LINE = Pattern.compile("reprise: snapshot at journal position (\\d+)");

    @TempDir
    Path work;

    @Test
    void withoutASnapshotProviderTheWholeJournalReplaysTheRecordedIdsTimesAndRandomsAndTheThingsComeBackByteForByte()
            throws Exception {
        Path data = work.resolve("data");
        String classpath = appClasspath(false);
        int port = Launch.freePort();
        String before;
        try (ChildJvm live = ChildJvm.start("live", work, Launch.onClasspath(classpath, APP, data, port, COMPARE_BODY))) {
            live.awaitPort(port, START);
            List<String> ids = create(port, 1, 20);
            deleteAll(port, ids.get(2), ids.get(9), ids.get(16));
            before = things(port);
            live.kill();
            assertThat(live.output()).as("no provider, no snapshot").doesNotContainPattern(SNAPSHOT_LINE);
        }
        assertThat(before.split("\n")).hasSize(17);

        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.onClasspath(classpath, APP, data, port2, COMPARE_BODY))) {
            again.awaitPort(port2, START);
            assertThat(things(port2)).isEqualTo(before);
            String done = again.awaitOutput(ReplayOutcomeIT.DONE_LINE, START).group();
            assertThat(done).contains("snapshot position -1").contains("replayed 23 entries").doesNotContain("diverged")
                    .doesNotContain("without an outcome").doesNotContain("failed and skipped");
            assertThat(again.output()).contains("no snapshot, replaying the journal from its start").doesNotContain(DIVERGED);
        }
    }

    @Test
    void afterASnapshotTakenInTheMiddleTheEntriesAfterItReplayTheirRecordedValuesAndTheThingsComeBackByteForByte()
            throws Exception {
        Path data = work.resolve("data");
        String classpath = appClasspath(true);
        String[] options = {COMPARE_BODY, "-Dreprise.snapshot.every=12", "-Dreprise.snapshot.interval=1h"};
        int port = Launch.freePort();
        String before;
        String snapshotAt;
        try (ChildJvm live = ChildJvm.start("live", work, Launch.onClasspath(classpath, APP, data, port, options))) {
            live.awaitPort(port, START);
            List<String> ids = new ArrayList<>(create(port, 1, 12));
            // The 12th entry asks for a snapshot, and nothing more is sent until it is taken: it covers exactly those 12.
            snapshotAt = live.awaitOutput(SNAPSHOT_LINE.pattern(), START).group(1);
            ids.addAll(create(port, 13, 20));
            // Two things from before the snapshot (restored from it) and one from after it (made again by replay).
            deleteAll(port, ids.get(2), ids.get(9), ids.get(16));
            before = things(port);
            live.kill();
        }
        assertThat(before.split("\n")).hasSize(17);

        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.onClasspath(classpath, APP, data, port2, options))) {
            again.awaitPort(port2, START);
            assertThat(things(port2)).isEqualTo(before);
            Matcher done = again.awaitOutput(ReplayOutcomeIT.DONE_LINE, START);
            assertThat(done.group(1)).as("the snapshot taken live was restored: %s", done.group()).isEqualTo(snapshotAt);
            assertThat(done.group()).contains("replayed 11 entries").doesNotContain("diverged").doesNotContain("without an outcome");
            assertThat(again.output()).doesNotContain(DIVERGED);
        }
    }

    @Test
    void withRecordingOffTheSameRequestsDivergeAndTheFirstDivergenceIsTheFirstCreate() throws Exception {
        Path data = work.resolve("data");
        String classpath = appClasspath(false);
        String[] options = {COMPARE_BODY, "-Dreprise.deterministic=false"};
        int port = Launch.freePort();
        String before;
        try (ChildJvm live = ChildJvm.start("live", work, Launch.onClasspath(classpath, APP, data, port, options))) {
            live.awaitPort(port, START);
            List<String> ids = create(port, 1, 20);
            deleteAll(port, ids.get(2), ids.get(9), ids.get(16));
            before = things(port);
            live.kill();
        }
        long firstCreate = CheckModeIT.dumpPositions(data, "POST", "/things").get(0);

        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.onClasspath(classpath, APP, data, port2, options))) {
            again.awaitPort(port2, START);
            String done = again.awaitOutput(ReplayOutcomeIT.DONE_LINE, START).group();
            assertThat(done).contains("replayed 23 entries").containsPattern(", \\d+ diverged");
            Matcher first = Pattern.compile("WARNING: reprise: " + DIVERGED + " (\\d+) \\(([A-Z]+ [^)]*)\\): ([^\\r\\n]*)")
                    .matcher(again.output());
            assertThat(first.find()).as("a divergence line in:\n%s", again.output()).isTrue();
            assertThat(first.group(2)).as(first.group()).isEqualTo("POST /things");
            assertThat(first.group(3)).as("a create whose body changed").startsWith("live status 201, body crc32c ")
                    .contains("replay status 201, body crc32c ");
            assertThat(Long.parseLong(first.group(1))).as("the first divergent position is the first create's, per dump")
                    .isEqualTo(firstCreate);
            // The ids were made anew, so the deletes by the live ids found nothing: the state is not the one left.
            assertThat(things(port2)).isNotEqualTo(before);
        }
    }

    @Test
    void aTokenValidWhenItWasUsedLiveIsValidOnReplayLongAfterItExpiredByTheWallClock() throws Exception {
        Path data = work.resolve("data");
        String classpath = appClasspath(false);
        int port = Launch.freePort();
        String token;
        long issued;
        String orders;
        try (ChildJvm live = ChildJvm.start("live", work, Launch.onClasspath(classpath, APP, data, port, COMPARE_BODY))) {
            live.awaitPort(port, START);
            // A token lives 2 s: on a machine that stalls that long between two loopback requests, take another one.
            Matcher accepted = null;
            for (int attempt = 1; attempt <= 5 && accepted == null; attempt++) {
                HttpResponse<String> t = Http.send(port, "POST", "/tokens", null);
                assertThat(t.statusCode()).as(t.body()).isEqualTo(201);
                Matcher m = Pattern.compile("token (\\S+) issued (\\d+) expires (\\d+)").matcher(t.body());
                assertThat(m.matches()).as(t.body()).isTrue();
                HttpResponse<String> order = order(port, m.group(1), "order-" + attempt);
                if (order.statusCode() == 201) {
                    accepted = m;
                } else {
                    assertThat(order.statusCode()).as(order.body()).isEqualTo(401);
                }
            }
            assertThat(accepted).as("an order accepted within its token's 2 s, in 5 attempts").isNotNull();
            token = accepted.group(1);
            issued = Long.parseLong(accepted.group(2));
            assertThat(order(port, "no-such-token", "order-x").statusCode()).isEqualTo(401);
            orders = Http.send(port, "GET", "/orders", null).body();
            live.kill();
        }
        assertThat(orders).contains(" with " + token + " at ");

        // Recovery must run when the token is expired by the wall clock, not when it might be: wait, bounded, until it is.
        long expiredLongSince = issued + 5_000;
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.currentTimeMillis() < expiredLongSince && System.nanoTime() < deadline) {
            ChildJvm.pause();
        }
        assertThat(System.currentTimeMillis()).as("5 s after the token was issued, before the restart").isGreaterThanOrEqualTo(expiredLongSince);

        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.onClasspath(classpath, APP, data, port2, COMPARE_BODY))) {
            again.awaitPort(port2, START);
            assertThat(Http.send(port2, "GET", "/orders", null).body()).isEqualTo(orders);
            String done = again.awaitOutput(ReplayOutcomeIT.DONE_LINE, START).group();
            assertThat(done).doesNotContain("diverged").doesNotContain("without an outcome");
            assertThat(again.output()).doesNotContain(DIVERGED);
            // A new request is live: it gets this moment's clock, by which the restored token has expired.
            HttpResponse<String> late = order(port2, token, "order-late");
            assertThat(late.statusCode()).as(late.body()).isEqualTo(401);
            assertThat(late.body()).startsWith("expired token " + token);
        }
    }

    @Test
    void aBackgroundThreadKeepsTheLiveClockAndRandomnessWhileTheRequestsReplayTheirs() throws Exception {
        Path data = work.resolve("data");
        String classpath = appClasspath(false);
        int port = Launch.freePort();
        String before;
        String liveCopies;
        try (ChildJvm live = ChildJvm.start("live", work, Launch.onClasspath(classpath, APP, data, port, COMPARE_BODY))) {
            live.awaitPort(port, START);
            create(port, 1, 3);
            assertThat(Http.send(port, "POST", "/snapshot-of-background", null).statusCode()).isEqualTo(201);
            create(port, 4, 6);
            before = things(port);
            liveCopies = Http.send(port, "GET", "/snapshot-of-background", null).body();
            live.kill();
        }
        long killedAt = System.currentTimeMillis();
        assertThat(millisOf(liveCopies)).isLessThan(killedAt);

        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.onClasspath(classpath, APP, data, port2, COMPARE_BODY))) {
            again.awaitPort(port2, START);
            // The requests replayed exactly, with the background thread drawing from the same sources all along.
            assertThat(things(port2)).isEqualTo(before);
            String done = again.awaitOutput(ReplayOutcomeIT.DONE_LINE, START).group();
            assertThat(done).contains("replayed 7 entries").doesNotContain("diverged");
            assertThat(again.output()).doesNotContain(DIVERGED);
            // What the replayed copy found is the background thread's own, of this JVM: later than the kill.
            String replayedCopies = Http.send(port2, "GET", "/snapshot-of-background", null).body();
            assertThat(replayedCopies.split("\n")).hasSize(1);
            assertThat(millisOf(replayedCopies)).as("the copy made on replay: %s", replayedCopies).isGreaterThanOrEqualTo(killedAt);
            // And the thread goes on ticking with the live clock and randomness, not frozen to recorded values.
            String first = background(port2);
            assertThat(millisOf(first)).isGreaterThanOrEqualTo(killedAt);
            String next = first;
            long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (next.equals(first) && System.nanoTime() < until) {
                ChildJvm.pause();
                next = background(port2);
            }
            assertThat(next).as("the background thread's values within 10 s").isNotEqualTo(first);
            assertThat(millisOf(next)).isGreaterThanOrEqualTo(millisOf(first));
        }
    }

    @Test
    void aReplayThatDrawsMoreUuidsThanWereRecordedGetsFreshOnesAndIsReportedAtItsEntry() throws Exception {
        Path data = work.resolve("data");
        String classpath = appClasspath(false);
        int port = Launch.freePort();
        String before;
        try (ChildJvm live = ChildJvm.start("live", work, Launch.onClasspath(classpath, APP, data, port))) {
            live.awaitPort(port, START);
            create(port, 1, 4);
            before = things(port);
            live.kill();
        }
        long third = CheckModeIT.dumpPositions(data, "POST", "/things").get(2);

        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.onClasspath(classpath, APP, data, port2,
                "-Dfixture.extra-uuid=" + name(3)))) {
            again.awaitPort(port2, START);
            // The extra UUID is drawn after the thing's own, which was recorded: the state is the same.
            assertThat(things(port2)).isEqualTo(before);
            String done = again.awaitOutput(ReplayOutcomeIT.DONE_LINE, START).group();
            assertThat(done).contains("replayed 4 entries").contains(", 1 diverged");
            String output = again.output();
            Matcher line = Pattern.compile("WARNING: reprise: " + DIVERGED + " (\\d+) \\(POST /things\\): "
                    + "replay drew more UUID values than were recorded live").matcher(output);
            assertThat(line.find()).as("the divergence line in:\n%s", output).isTrue();
            assertThat(Long.parseLong(line.group(1))).as("the third create's position, per dump").isEqualTo(third);
            assertThat(output.split(Pattern.quote(DIVERGED), -1)).as("one divergence").hasSize(2);
        }
    }

    /**
     * A class path of DeterministicApp's classes alone, copied out of the test classes (whose services file names
     * FixtureSnapshots); {@code withSnapshots} adds a services file naming DeterministicSnapshots and the fixture
     * libraries, reprise-snapshot among them.
     */
    private String appClasspath(boolean withSnapshots) throws IOException {
        Path dir = work.resolve(withSnapshots ? "app-with-snapshots" : "app");
        Path into = Files.createDirectories(dir.resolve("io/reprise/it/fixtures"));
        Path from = Launch.fixtureClasses().resolve("io/reprise/it/fixtures");
        int copied = 0;
        try (Stream<Path> classes = Files.list(from)) {
            for (Path c : (Iterable<Path>) classes::iterator) {
                String file = c.getFileName().toString();
                if (file.startsWith("Deterministic") && file.endsWith(".class")) {
                    Files.copy(c, into.resolve(file));
                    copied++;
                }
            }
        }
        assertThat(copied).as("Deterministic*.class in %s", from).isGreaterThanOrEqualTo(3);
        if (!withSnapshots) {
            return dir.toString();
        }
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve("io.reprise.snapshot.SnapshotProvider"), "io.reprise.it.fixtures.DeterministicSnapshots\n");
        return dir + java.io.File.pathSeparator + Launch.fixtureLibraries();
    }

    /** Creates things {@code from..to} (names from {@link #name}), each answered 201 with its line; returns their ids. */
    private static List<String> create(int port, int from, int to) throws IOException, InterruptedException {
        List<String> ids = new ArrayList<>();
        Pattern id = Pattern.compile("^id=([0-9a-f-]{36}) name=" + "(\\S+) created=");
        for (int i = from; i <= to; i++) {
            HttpResponse<String> r = Http.send(port, "POST", "/things", name(i));
            assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            Matcher m = id.matcher(r.body());
            assertThat(m.find()).as(r.body()).isTrue();
            assertThat(m.group(2)).isEqualTo(name(i));
            ids.add(m.group(1));
        }
        return ids;
    }

    private static void deleteAll(int port, String... ids) throws IOException, InterruptedException {
        for (String id : ids) {
            HttpResponse<String> r = Http.send(port, "DELETE", "/things/" + id, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("deleted " + id);
        }
    }

    private static String name(int i) {
        return String.format("thing-%02d", i);
    }

    private static String things(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = Http.send(port, "GET", "/things", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static HttpResponse<String> order(int port, String token, String order) throws IOException, InterruptedException {
        return Http.send(port, "POST", "/orders", order, "X-Token", token);
    }

    private static String background(int port) throws IOException, InterruptedException {
        HttpResponse<String> r = Http.send(port, "GET", "/background", null);
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /** The milliseconds of a background value, {@code <millis> <random>}. */
    private static long millisOf(String value) {
        Matcher m = Pattern.compile("^(\\d+) -?\\d+$").matcher(value.trim());
        if (!m.matches()) {
            fail("not a background value <millis> <random>: " + value);
        }
        return Long.parseLong(m.group(1));
    }
}
