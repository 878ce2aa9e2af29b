package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replay that proves itself (issue 11): every journaled request's outcome is recorded, and replay compares each entry's
 * outcome with a fresh one. A request that threw live and throws the same way on replay is no poison pill; a request
 * whose outcome differs on replay is a divergence, warned about at its journal position or, under
 * {@code reprise.recovery.on-divergence=stop}, a failed recovery; an entry whose process died before its outcome was
 * appended is replayed and counted.
 *
 * <p>The divergences are made with test-only switches of the fixtures, set only on the restart:
 * {@code -Dfixture.fail-on-replay=PATH} (that path's handler throws) and {@code -Dfixture.items.wording=v2} (the body
 * of a create changes, its status does not); for the ledger, {@code -Dledger.test.fail-on-replay=PATH}, a filter in the
 * ledger-jetty test application only (integration-tests/apps/ledger-jetty), never in the sample itself.
 */
class ReplayOutcomeIT {

    static final Duration START = Duration.ofSeconds(60);
    static final Duration SPRING_START = LedgerRecoveryIT.START;
    static final String TOMCAT = "io.reprise.it.fixtures.TomcatFixtureApp";
    /** The whole recovery done line; group 1 the snapshot position, group 2 the entries replayed. */
    static final String DONE_LINE = CounterRecoveryIT.RECOVERY_DONE + "[^\\r\\n]*";
    static final Pattern LAST_POSITION = Pattern.compile("last position (\\d+)");

    @TempDir
    Path work;

    @Test
    void aDeleteOfAnUnknownIdThatThrewLiveThrowsTheSameOnReplayAndNoLongerStopsTheRestart() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.fixture(data, port))) {
            app.awaitPort(port, START);
            assertThat(Http.createItem(port, "a").statusCode()).isEqualTo(201);
            assertThat(Http.createItem(port, "b").statusCode()).isEqualTo(201);
            assertThrewOrAnswered500(port, "DELETE", "/items/nosuch");
            assertThat(Http.send(port, "DELETE", "/items/a", null).statusCode()).isEqualTo(200);
            assertThat(Http.items(port)).isEqualTo("b");
            app.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.fixture(data, port2))) {
            again.awaitPort(port2, START);
            assertThat(Http.items(port2)).isEqualTo("b");
            String done = again.awaitOutput(DONE_LINE, START).group();
            assertThat(done).contains("replayed 4 entries").doesNotContain("diverged").doesNotContain("without an outcome")
                    .doesNotContain("failed and skipped");
            assertThat(again.output()).as("the same outcome live and on replay is not reported").doesNotContain("replay diverged");
        }
    }

    @Test
    void onTheJdkServerAWriteThatSucceededLiveAndThrowsOnReplayIsWarnedAtItsPositionOrStopsRecovery() throws Exception {
        Path data = work.resolve("data");
        writeItemsAndDeleteB(data);
        String[] failOnReplay = {"-Dfixture.fail-on-replay=/items/b"};

        // stop first: it fails before anything could be written, so the warn run below replays the same journal.
        int port = Launch.freePort();
        String stopped;
        try (ChildJvm stops = ChildJvm.start("stops", work, Launch.fixture(data, port, failOnReplay[0],
                "-Dreprise.recovery.on-divergence=stop"))) {
            stopped = assertRecoveryFailsWithThePortClosed(stops, port, START);
        }
        assertThat(stopped).contains("reprise.recovery.on-divergence=stop");
        long stoppedAt = position(stopped, "replay diverged at journal position (\\d+)");

        int port2 = Launch.freePort();
        try (ChildJvm warns = ChildJvm.start("warns", work, Launch.fixture(data, port2, failOnReplay))) {
            warns.awaitPort(port2, START);
            String done = warns.awaitOutput(DONE_LINE, START).group();
            assertThat(done).contains("replayed 3 entries").contains(", 1 diverged").doesNotContain("without an outcome");
            String output = warns.output();
            long warnedAt = position(output, "WARNING: reprise: replay diverged at journal position (\\d+) \\(DELETE /items/b\\): "
                    + "live status 200, replay threw java\\.lang\\.IllegalStateException: fixture\\.fail-on-replay=/items/b");
            assertThat(occurrences(output, "replay diverged at journal position")).as("one line per divergence").isEqualTo(1);
            // The DELETE was the last request journaled, so its position is the last one replayed.
            assertThat(warnedAt).isEqualTo(lastPosition(done)).isEqualTo(stoppedAt);
            // warn goes on with what the replay did: the DELETE threw this time, so b is still there.
            assertThat(Http.items(port2)).isEqualTo("a,b");
        }
    }

    @Test
    void onTomcatAWriteThatSucceededLiveAndThrowsOnReplayIsWarnedAtItsPositionOrStopsRecovery() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm first = ChildJvm.start("first", work, Launch.fixture(TOMCAT, data, port))) {
            first.awaitPort(port, START);
            assertThat(Http.send(port, "POST", "/records/a", "text/plain", "a".getBytes(StandardCharsets.UTF_8), false)
                    .statusCode()).isEqualTo(200);
            assertThat(Http.send(port, "POST", "/records/b", "text/plain", "b".getBytes(StandardCharsets.UTF_8), false)
                    .statusCode()).isEqualTo(200);
            first.kill();
        }
        String failOnReplay = "-Dfixture.fail-on-replay=/records/b";

        int port2 = Launch.freePort();
        String stopped;
        try (ChildJvm stops = ChildJvm.start("stops", work, Launch.fixture(TOMCAT, data, port2, failOnReplay,
                "-Dreprise.recovery.on-divergence=stop"))) {
            // Plain Tomcat binds before recovery (connections wait in the backlog, docs/servers.md): what shows the port
            // stayed closed is that the JVM ends and no request was ever answered.
            assertThat(stops.waitFor(START)).as("recovery failed, the JVM ended").isNotZero();
            stopped = stops.output();
            assertThat(ChildJvm.accepts(port2)).isFalse();
        }
        assertThat(stopped).contains("reprise.recovery.on-divergence=stop").doesNotContain("tomcat fixture listening");
        long stoppedAt = position(stopped, "replay diverged at journal position (\\d+)");

        int port3 = Launch.freePort();
        try (ChildJvm warns = ChildJvm.start("warns", work, Launch.fixture(TOMCAT, data, port3, failOnReplay))) {
            warns.awaitPort(port3, START);
            String done = warns.awaitOutput(DONE_LINE, START).group();
            assertThat(done).contains("replayed 2 entries").contains(", 1 diverged");
            String output = warns.output();
            long warnedAt = position(output, "WARNING: reprise: replay diverged at journal position (\\d+) \\(POST /records/b\\): "
                    + "live status 200, replay threw java\\.lang\\.IllegalStateException: fixture\\.fail-on-replay=/records/b");
            assertThat(occurrences(output, "replay diverged at journal position")).as("one line per divergence").isEqualTo(1);
            assertThat(warnedAt).isEqualTo(lastPosition(done)).isEqualTo(stoppedAt);
            assertThat(Http.send(port3, "GET", "/records", null).body()).contains("POST /records/a").doesNotContain("/records/b");
        }
    }

    @Test
    void onTomcatARequestThatThrewLiveAndThrowsTheSameOnReplayNoLongerStopsTheRestart() throws Exception {
        // The switch is on live too: /records/x throws in the live run and again on replay. Before outcomes were
        // recorded, the container made a 500 of it both times and nobody looked; now the glue catches it on replay
        // (the container would only make a discarded 500 of it) and it matches the exception recorded live.
        Path data = work.resolve("data");
        String throwsOnX = "-Dfixture.fail-on-replay=/records/x";
        int port = Launch.freePort();
        try (ChildJvm first = ChildJvm.start("first", work, Launch.fixture(TOMCAT, data, port, throwsOnX))) {
            first.awaitPort(port, START);
            assertThat(Http.send(port, "POST", "/records/a", "text/plain", "a".getBytes(StandardCharsets.UTF_8), false)
                    .statusCode()).isEqualTo(200);
            assertThat(Http.send(port, "POST", "/records/x", "text/plain", "x".getBytes(StandardCharsets.UTF_8), false)
                    .statusCode()).as("the handler threw live").isEqualTo(500);
            first.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.fixture(TOMCAT, data, port2, throwsOnX,
                "-Dreprise.recovery.on-divergence=stop"))) {
            again.awaitPort(port2, START);
            String done = again.awaitOutput(DONE_LINE, START).group();
            assertThat(done).contains("replayed 2 entries").doesNotContain("diverged").doesNotContain("failed");
            assertThat(again.output()).doesNotContain("replay diverged");
            assertThat(Http.send(port2, "GET", "/records", null).body()).contains("POST /records/a");
        }
    }

    @Test
    void inTheLedgerOnSpringBootAndJettyATransferThatSucceededLiveAndThrowsOnReplayIsWarnedAtItsPositionOrStopsRecovery()
            throws Exception {
        String jar = Launch.ledgerJettyJar();
        Path data = work.resolve("data");
        int port = Launch.freePort();
        String live;
        try (ChildJvm first = ChildJvm.start("live", work, Launch.springBoot(jar, data, port))) {
            first.awaitPort(port, SPRING_START);
            LedgerClient.open(port, "alice", 100);
            LedgerClient.open(port, "bob", 0);
            live = LedgerClient.accounts(port);
            assertThat(LedgerClient.transfer(port, "alice", "bob", 30)).isEqualTo(200);
            assertThat(Http.send(port, "GET", "/accounts/bob", null).body()).isEqualTo("{\"id\":\"bob\",\"balance\":30}");
            first.kill();
        }
        String failOnReplay = "-Dledger.test.fail-on-replay=/transfers";

        // stop first: it fails before anything could be written, so the warn run below replays the same journal. Spring
        // Boot's connector binds only after recovery, so the port is looked at as long as the JVM runs.
        int port2 = Launch.freePort();
        String stopped;
        try (ChildJvm stops = ChildJvm.start("stops", work, Launch.springBoot(jar, data, port2, failOnReplay,
                "-Dreprise.recovery.on-divergence=stop"))) {
            stopped = assertRecoveryFailsWithThePortClosed(stops, port2, SPRING_START);
        }
        assertThat(stopped).contains("reprise.recovery.on-divergence=stop").contains("(POST /transfers)");
        long stoppedAt = position(stopped, "replay diverged at journal position (\\d+)");

        int port3 = Launch.freePort();
        try (ChildJvm warns = ChildJvm.start("warns", work, Launch.springBoot(jar, data, port3, failOnReplay))) {
            warns.awaitPort(port3, SPRING_START);
            assertThat(warns.output()).contains("Jetty");
            String done = warns.awaitOutput(DONE_LINE, SPRING_START).group();
            assertThat(done).contains("replayed 3 entries").contains(", 1 diverged").doesNotContain("without an outcome")
                    .doesNotContain("failed and skipped");
            String output = warns.output();
            // Spring Boot sends java.util.logging, which the agent's System.Logger writes to, through Logback: the level is
            // WARN and comes before the logger's name, not "WARNING:" on a line of its own.
            long warnedAt = position(output, "\\bWARN\\b[^\\r\\n]* : reprise: replay diverged at journal position (\\d+) \\(POST /transfers\\): "
                    + "live status 2\\d\\d, replay threw java\\.lang\\.IllegalStateException: ledger\\.test\\.fail-on-replay=/transfers");
            assertThat(occurrences(output, "replay diverged at journal position")).as("one line per divergence").isEqualTo(1);
            // The transfer was the last request journaled, so its position is the last one replayed.
            assertThat(warnedAt).isEqualTo(lastPosition(done)).isEqualTo(stoppedAt);
            // This is what warn means: recovery goes on with the state the replay gives, not the state live had. The
            // transfer threw this time, so the balances are those from before it.
            assertThat(LedgerClient.accounts(port3)).isEqualTo(live).contains("\"balance\":100").doesNotContain("\"balance\":30");
        }
    }

    @Test
    void anEntryWhoseProcessDiedBeforeItsOutcomeIsReplayedAppliedAndCounted() throws Exception {
        Path data = work.resolve("data");
        Path markers = Files.createDirectories(work.resolve("markers"));
        String halt = "-Dfixture.halt.dir=" + markers;
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.fixture(data, port, halt))) {
            app.awaitPort(port, START);
            for (int i = 1; i <= 3; i++) {
                assertThat(Http.increment(port)).isEqualTo(i);
            }
            try {
                HttpResponse<String> r = Http.send(port, "POST", "/halt", null);
                fail("POST /halt was answered " + r.statusCode() + " " + r.body() + "; the JVM should have halted in its handler");
            } catch (IOException expected) {
                // the JVM halted inside the handler: the connection broke, no answer
            }
            assertThat(app.waitFor(START)).as("Runtime.halt(9) in the handler").isEqualTo(9);
        }
        assertThat(markers.resolve("halted")).exists();
        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.fixture(data, port2, halt))) {
            again.awaitPort(port2, START);
            String done = again.awaitOutput(DONE_LINE, START).group();
            assertThat(done).contains("replayed 4 entries").contains(", 1 without an outcome").doesNotContain("diverged");
            // The halted request was journaled and never acknowledged; replay applies it (the marker now exists, so its
            // handler increments), as for any journaled request the client may have seen fail: it was written ahead.
            assertThat(Http.get(port2)).isEqualTo(4);
        }
    }

    @Test
    void aBodyThatChangesOnReplayIsADivergenceOnlyUnderCompareBody() throws Exception {
        Path data = work.resolve("data");
        writeItemsAndDeleteB(data);

        // Nothing differs: compare=body finds nothing either (the digest is of the body alone).
        String same = restart(data, "same", "-Dreprise.recovery.compare=body");
        assertThat(same).doesNotContain("replay diverged");
        assertThat(doneLine(same)).contains("replayed 3 entries").doesNotContain("diverged");

        // The answers to creates are worded differently, same status: not a divergence under the default compare=status.
        String statusOnly = restart(data, "status-only", "-Dfixture.items.wording=v2");
        assertThat(statusOnly).doesNotContain("replay diverged");
        assertThat(doneLine(statusOnly)).contains("replayed 3 entries").doesNotContain("diverged");

        String byBody = restart(data, "by-body", "-Dfixture.items.wording=v2", "-Dreprise.recovery.compare=body");
        assertThat(doneLine(byBody)).contains("replayed 3 entries").contains(", 2 diverged");
        for (String id : new String[] {"a", "b"}) {
            assertThat(byBody).containsPattern("WARNING: reprise: replay diverged at journal position \\d+ \\(POST /items\\): "
                    + "live status 201, " + digest("created " + id) + ", replay status 201, " + digest("created item " + id));
        }
        assertThat(occurrences(byBody, "replay diverged at journal position")).isEqualTo(2);
        assertThat(byBody).as("the DELETE answered the same").doesNotContain("(DELETE /items/b)");
    }

    /** Live: creates a and b, deletes b, SIGKILL. Three journaled entries, each with an outcome. */
    private void writeItemsAndDeleteB(Path data) throws Exception {
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("live", work, Launch.fixture(data, port))) {
            app.awaitPort(port, START);
            assertThat(Http.createItem(port, "a").body()).isEqualTo("created a");
            assertThat(Http.createItem(port, "b").body()).isEqualTo("created b");
            HttpResponse<String> deleted = Http.send(port, "DELETE", "/items/b", null);
            assertThat(deleted.statusCode()).isEqualTo(200);
            assertThat(deleted.body()).isEqualTo("deleted b");
            assertThat(Http.items(port)).isEqualTo("a");
            app.kill();
        }
    }

    /** Starts the fixture on {@code data}, waits for the port and the done line, SIGKILLs it; returns its output. */
    private String restart(Path data, String name, String... jvmOptions) {
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start(name, work, Launch.fixture(data, port, jvmOptions))) {
            app.awaitPort(port, START);
            app.awaitOutput(DONE_LINE, START);
            app.kill();
            return app.output();
        }
    }

    /**
     * The JVM ends with a non-zero status within {@code timeout}, and {@code port} (bound only after recovery on the
     * JDK server and in Spring Boot) accepted no connection at any time it was looked at before that; returns the output.
     */
    private static String assertRecoveryFailsWithThePortClosed(ChildJvm jvm, int port, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (jvm.isAlive() && System.nanoTime() < deadline) {
            assertThat(ChildJvm.accepts(port)).as("port %d accepted a connection while recovery should fail:\n%s", port, jvm.output())
                    .isFalse();
            ChildJvm.pause();
        }
        assertThat(jvm.waitFor(Duration.ofSeconds(5))).as("recovery failed, the JVM ended:\n%s", jvm.output()).isNotZero();
        assertThat(ChildJvm.accepts(port)).isFalse();
        return jvm.output();
    }

    /** {@code crc32c <hex> (<n> bytes)} of {@code body} as UTF-8, as a regex; leading zeros of the hex optional. */
    private static String digest(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return "body crc32c 0*" + Long.toHexString(crc.getValue()) + " \\(" + bytes.length + " bytes\\)";
    }

    private static void assertThrewOrAnswered500(int port, String method, String path) throws InterruptedException {
        try {
            HttpResponse<String> r = Http.send(port, method, path, null);
            assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(500);
        } catch (IOException expected) {
            // the JDK server closes the connection when a handler throws
        }
    }


    private static String doneLine(String output) {
        Matcher m = Pattern.compile(DONE_LINE).matcher(output);
        assertThat(m.find()).as("a recovery done line in:\n%s", output).isTrue();
        return m.group();
    }

    private static long lastPosition(String doneLine) {
        return position(doneLine, LAST_POSITION.pattern());
    }

    /** Group 1 of the first match of {@code regex} in {@code text}, as a number; fails with the text if none. */
    private static long position(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            fail("no match for /" + regex + "/ in:\n" + text);
        }
        return Long.parseLong(m.group(1));
    }

    private static int occurrences(String text, String literal) {
        return text.split(Pattern.quote(literal), -1).length - 1;
    }
}
