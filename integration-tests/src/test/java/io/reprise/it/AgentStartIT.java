package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting the agent: configuration errors, turning it off, staying quiet. */
class AgentStartIT {

    static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void aBadConfigurationValueStopsStartupAndNamesTheKey() {
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.counter(work.resolve("data"), port, "-Dreprise.snapshot.interval=soon"))) {
            assertThat(app.waitFor(START)).isEqualTo(2);
            assertThat(app.output()).contains("reprise: configuration error: reprise.snapshot.interval=soon is not valid");
            assertThat(ChildJvm.accepts(port)).isFalse();
        }
    }

    @Test
    void whenDisabledTheAgentJournalsNothing() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.counter(data, port, "-Dreprise.enabled=false"))) {
            app.awaitPort(port, START);
            assertThat(Http.increment(port)).isEqualTo(1);
            assertThat(app.output()).contains("no Reprise agent: state is lost on exit");
            app.kill();
        }
        assertThat(Files.exists(data.resolve("journal"))).isFalse();
    }

    @Test
    void chronicleNeitherAnnouncesItselfNorSendsAnalytics() throws Exception {
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.counter(work.resolve("data"), port))) {
            app.awaitPort(port, START);
            Http.increment(port);
            app.awaitOutput("reprise: recovery done", START);
            assertThat(app.output())
                    .doesNotContainIgnoringCase("analytics")
                    .doesNotContain("Chronicle core loaded")
                    .doesNotContain("Process id:")
                    .doesNotContain("WARNING: An illegal reflective access");
        }
    }
}
