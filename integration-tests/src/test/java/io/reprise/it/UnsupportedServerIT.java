package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** C8: a server the agent does not support (Undertow) starts and serves as without the agent, and says so once. */
class UnsupportedServerIT {

    static final Duration START = Duration.ofSeconds(60);
    static final String MAIN = "io.reprise.it.fixtures.UndertowFixtureApp";
    static final String NOT_SUPPORTED = "reprise: io.undertow.Undertow is not supported: its requests are not journaled";

    @TempDir
    Path work;

    @Test
    void anUnsupportedServerStartsNormallyWithOneLogLineAndNoJournaling() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm first = ChildJvm.start("first", work, Launch.fixture(MAIN, data, port))) {
            first.awaitPort(port, START);
            for (int i = 1; i <= 3; i++) {
                assertThat(Http.send(port, "POST", "/counter", null).body()).isEqualTo(Integer.toString(i));
            }
            first.awaitOutput(NOT_SUPPORTED, START);
            assertThat(first.output().split(java.util.regex.Pattern.quote("is not supported"), -1)).as("one line").hasSize(2);
            assertThat(first.output()).doesNotContain("recovery started").doesNotContain("request not applied");
            first.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.fixture(MAIN, data, port2))) {
            second.awaitPort(port2, START);
            assertThat(Http.send(port2, "GET", "/counter", null).body()).as("nothing was journaled, nothing replayed").isEqualTo("0");
        }
    }
}
