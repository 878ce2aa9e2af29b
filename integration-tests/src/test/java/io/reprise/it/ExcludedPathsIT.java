package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprise.journal.exclude} matches whole segments of the decoded path the server routes on, the same on
 * the JDK server and on Tomcat: an excluded path's writes are not journaled (they are gone after a SIGKILL), a
 * sibling that only shares its first letters is journaled (it survives), and an ambiguous spelling of an excluded
 * path is journaled too.
 */
class ExcludedPathsIT {

    static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void onTheJdkServerHealthIsExcludedButHealthcareIsJournaled() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm first = ChildJvm.start("first", work, Launch.fixture(data, port, "-Dreprise.journal.exclude=/health"))) {
            first.awaitPort(port, START);
            post(port, "/health");
            post(port, "/h%65alth"); // decoded: /health, excluded as well
            post(port, "/healthcare");
            post(port, "/healthcare");
            post(port, "/healthcare");
            assertThat(count(port, "/health")).isEqualTo(2);
            assertThat(count(port, "/healthcare")).isEqualTo(3);
            first.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.fixture(data, port2, "-Dreprise.journal.exclude=/health"))) {
            second.awaitPort(port2, START);
            assertThat(second.awaitOutput(CounterRecoveryIT.RECOVERY_DONE, START).group(2)).as("entries replayed").isEqualTo("3");
            assertThat(count(port2, "/healthcare")).as("journaled, so it survived the SIGKILL").isEqualTo(3);
            assertThat(count(port2, "/health")).as("excluded, so it was not journaled").isZero();
        }
    }

    @Test
    void onTomcatHealthIsExcludedButHealthcareAndAnAmbiguousSpellingAreJournaled() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        String exclude = "-Dreprise.journal.exclude=/records/health";
        String before;
        try (ChildJvm first = ChildJvm.start("first", work, Launch.fixture(PlainTomcatIT.MAIN, data, port, exclude))) {
            first.awaitPort(port, START);
            post(port, "/records/health");
            post(port, "/records/h%65alth/deep"); // decoded: /records/health/deep, excluded as well
            post(port, "/records/healthcare");
            post(port, "/records/health;v=1"); // Tomcat routes it to /records/health; a path parameter is ambiguous
            before = Http.send(port, "GET", "/records", null).body();
            first.kill();
        }
        assertThat(before.lines()).hasSize(4);
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.fixture(PlainTomcatIT.MAIN, data, port2, exclude))) {
            second.awaitPort(port2, START);
            assertThat(second.awaitOutput(CounterRecoveryIT.RECOVERY_DONE, START).group(2)).as("entries replayed").isEqualTo("2");
            String after = Http.send(port2, "GET", "/records", null).body();
            assertThat(after.lines()).hasSize(2)
                    .anyMatch(line -> line.startsWith("POST /records/healthcare "))
                    .anyMatch(line -> line.startsWith("POST /records/health;v=1 "));
        }
    }

    private static void post(int port, String path) throws Exception {
        HttpResponse<String> r = Http.send(port, "POST", path, "x");
        assertThat(r.statusCode()).as("POST " + path + ": " + r.body()).isEqualTo(200);
    }

    private static long count(int port, String path) throws Exception {
        HttpResponse<String> r = Http.send(port, "GET", path, null);
        assertThat(r.statusCode()).as("GET " + path).isEqualTo(200);
        return Long.parseLong(r.body().trim());
    }
}
