package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Sessions (issue 12): a Spring Boot application behind Spring Security's defaults (form login, a session whose id
 * changes at login, CSRF tokens kept in the session). {@code GET /login} makes the session and its CSRF token and is
 * not journaled; without session records, the replayed login found no session, and every later write, carrying the
 * old session's cookie, was refused, so what the user wrote was gone after a restart, silently.
 *
 * <p>Servers: Tomcat and Jetty; {@link #servers()} says which run on which JDK.
 */
class SpringSecuritySessionsIT {

    static final Duration START = LedgerRecoveryIT.START;
    static final String COMPARE_BODY = "-Dreprise.recovery.compare=body";

    @TempDir
    Path work;

    /**
     * Tomcat (Spring Boot 3.5, Tomcat 10.1) and Jetty (Spring Boot 3.5, Jetty 12.0 ee10) on JDK 17; on JDK 25, where the
     * agent's code is the same, Tomcat (JDK 25 runs Jetty in LedgerOnOtherServersIT), for the first test only: the
     * suite must stay within CI's time.
     */
    static List<String> servers() {
        return Launch.javaVersion() < 25 ? List.of("tomcat", "jetty") : List.of("tomcat");
    }

    /** Tomcat and Jetty on JDK 17; none on JDK 25 (see {@link #servers()}). */
    static List<String> serversOnJdk17() {
        return Launch.javaVersion() < 25 ? List.of("tomcat", "jetty") : List.of();
    }

    /** Tomcat on JDK 17; none on JDK 25. */
    static List<String> tomcatOnJdk17() {
        return Launch.javaVersion() < 25 ? List.of("tomcat") : List.of();
    }

    private static String jar(String server) {
        return switch (server) {
            case "tomcat" -> Launch.notesSecurityJar();
            case "jetty" -> Launch.notesSecurityJettyJar();
            default -> throw new IllegalArgumentException(server);
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void whatALoggedInUserWroteSurvivesSigkillAndTheSessionWithIt(String server) throws Exception {
        String jar = jar(server);
        Path data = work.resolve("data");
        SessionClient alice = new SessionClient();
        int port = Launch.freePort();
        String before;
        try (ChildJvm live = ChildJvm.start("live", work, Launch.springBoot(jar, data, port, COMPARE_BODY))) {
            live.awaitPort(port, START);
            alice.logIn(port, "alice", "wonderland");
            HttpResponse<String> remembered = alice.send(port, "GET", "/remember?what=umbrella", null);
            assertThat(remembered.statusCode()).as(remembered.body()).isEqualTo(200);
            for (int i = 1; i <= 3; i++) {
                HttpResponse<String> r = alice.write(port, "note " + i);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("note " + i);
            }
            before = notes(alice, port);
            assertThat(live.output()).as("the attribute that cannot be serialised is named")
                    .contains("session attribute \"remembered\"").contains("cannot be serialised");
            live.kill();
        }
        assertThat(before).isEqualTo("alice: note 1\nalice: note 2\nalice: note 3\n");

        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.springBoot(jar, data, port2, COMPARE_BODY))) {
            again.awaitPort(port2, START);
            String done = again.awaitOutput(ReplayOutcomeIT.DONE_LINE, START).group();
            assertThat(done).contains("snapshot position -1").doesNotContain("diverged").doesNotContain("failed");
            assertThat(again.output()).doesNotContain("replay diverged").doesNotContain("SEVERE");
            assertThat(notes(alice, port2)).as("the same session, still logged in, sees the notes").isEqualTo(before);
            HttpResponse<String> after = alice.write(port2, "note 4");
            assertThat(after.statusCode()).as("the session's CSRF token is still good: %s", after.body()).isEqualTo(200);
            assertThat(after.body()).isEqualTo("note 4");
            HttpResponse<String> gone = alice.send(port2, "GET", "/remember?what=again", null);
            assertThat(gone.statusCode()).isEqualTo(200);
        }
    }

    /**
     * The login, then an orderly stop (SIGTERM: a final snapshot, whose {@code sessions} section holds the session,
     * while Tomcat invalidates every session as it stops; Jetty keeps them), a start from that snapshot, the writes, SIGKILL: the last
     * start restores the snapshot (the session from its section) and replays the writes, which need that session.
     */
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("serversOnJdk17")
    void withASnapshotTakenBetweenTheLoginAndTheWritesTheSessionComesFromTheSnapshot(String server) throws Exception {
        String jar = jar(server);
        Path data = work.resolve("data");
        SessionClient alice = new SessionClient();
        int port = Launch.freePort();
        try (ChildJvm first = ChildJvm.start("login", work, Launch.springBoot(jar, data, port, COMPARE_BODY))) {
            first.awaitPort(port, START);
            alice.logIn(port, "alice", "wonderland");
            first.terminate();
            assertThat(first.output()).contains("final snapshot");
        }

        int port2 = Launch.freePort();
        String written;
        long snapshot;
        try (ChildJvm second = ChildJvm.start("writes", work, Launch.springBoot(jar, data, port2, COMPARE_BODY))) {
            second.awaitPort(port2, START);
            Matcher done = second.awaitOutput(ReplayOutcomeIT.DONE_LINE, START);
            snapshot = Long.parseLong(done.group(1));
            assertThat(snapshot).as("restored from the final snapshot").isNotEqualTo(-1);
            assertThat(done.group(2)).as("which covers everything").isEqualTo("0");
            HttpResponse<String> empty = alice.send(port2, "GET", "/notes", null);
            assertThat(empty.statusCode()).as("still logged in, from the snapshot's sessions: %s", empty.headers())
                    .isEqualTo(200);
            for (int i = 1; i <= 3; i++) {
                HttpResponse<String> r = alice.write(port2, "note " + i);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
            written = notes(alice, port2);
            second.kill();
        }
        assertThat(written).isEqualTo("alice: note 1\nalice: note 2\nalice: note 3\n");

        int port3 = Launch.freePort();
        try (ChildJvm third = ChildJvm.start("again", work, Launch.springBoot(jar, data, port3, COMPARE_BODY))) {
            third.awaitPort(port3, START);
            Matcher done = third.awaitOutput(ReplayOutcomeIT.DONE_LINE, START);
            assertThat(Long.parseLong(done.group(1))).as("the snapshot between the login and the writes").isEqualTo(snapshot);
            assertThat(done.group()).doesNotContain("diverged").doesNotContain("failed");
            assertThat(Integer.parseInt(done.group(2))).as("the three writes replayed").isGreaterThanOrEqualTo(3);
            assertThat(notes(alice, port3)).isEqualTo(written);
        }
    }

    /** The control: with {@code reprise.sessions=false}, the session is lost, replay says the writes diverged. */
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("tomcatOnJdk17")
    void withSessionsOffTheReplayedWritesAreRefusedAndReplaySaysSo(String server) throws Exception {
        String jar = jar(server);
        Path data = work.resolve("data");
        String off = "-Dreprise.sessions=false";
        SessionClient alice = new SessionClient();
        int port = Launch.freePort();
        try (ChildJvm live = ChildJvm.start("live", work, Launch.springBoot(jar, data, port, COMPARE_BODY, off))) {
            live.awaitPort(port, START);
            alice.logIn(port, "alice", "wonderland");
            for (int i = 1; i <= 3; i++) {
                assertThat(alice.write(port, "note " + i).statusCode()).isEqualTo(200);
            }
            live.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.springBoot(jar, data, port2, COMPARE_BODY, off))) {
            again.awaitPort(port2, START);
            String done = again.awaitOutput(ReplayOutcomeIT.DONE_LINE, START).group();
            assertThat(done).contains("diverged");
            assertThat(again.output()).contains("replay diverged at");
            HttpResponse<String> notes = alice.send(port2, "GET", "/notes", null);
            assertThat(SessionClient.redirect(notes)).as("logged out").hasValueSatisfying(l -> assertThat(l).endsWith("/login"));
        }
    }

    private static String notes(SessionClient client, int port) throws Exception {
        HttpResponse<String> r = client.send(port, "GET", "/notes", null);
        assertThat(r.statusCode()).as("%s %s", r.headers(), r.body()).isEqualTo(200);
        return r.body();
    }
}
