package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** C8: the agent's libraries never meet the application's. */
class IsolationIT {

    static final Duration START = Duration.ofSeconds(60);

    /** What an application using Chronicle Queue itself must put on its command line (Chronicle's docs). */
    static final List<String> APPLICATIONS_OWN_CHRONICLE_FLAGS = List.of(
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED");

    @TempDir
    Path work;

    @Test
    void anApplicationWithItsOwnChronicleQueueAndByteBuddyRunsUnchanged() throws Exception {
        List<String> options = new ArrayList<>(APPLICATIONS_OWN_CHRONICLE_FLAGS);
        options.add("-Dfixture.own.libraries=true");
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.fixture(data, port, options.toArray(String[]::new)))) {
            app.awaitPort(port, START);
            String libs = Http.send(port, "GET", "/libs", null).body();
            assertThat(libs)
                    .contains("chronicle.read=written by the application's own Chronicle Queue")
                    .contains("bytebuddy.made=made by the application's own Byte Buddy")
                    .containsPattern("chronicle=file:\\S*/chronicle-queue-2026\\.1\\.jar")
                    .containsPattern("bytebuddy=file:\\S*/byte-buddy-1\\.17\\.8\\.jar");
            for (int i = 0; i < 50; i++) {
                Http.increment(port);
            }
            app.kill();
        }
        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.fixture(data, port2, options.toArray(String[]::new)))) {
            again.awaitPort(port2, START);
            assertThat(Http.get(port2)).isEqualTo(50);
        }
    }
}
