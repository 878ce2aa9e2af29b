package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory written by release 0.1.0 (committed as src/test/resources/journal-fixtures/reprise-0.1.0.tar.gz;
 * how it was made and what it holds: README.txt next to it) is read and replayed unchanged by this build: a serve-mode
 * start restores its snapshot, replays the entries after it with no divergence and comes back with exactly the
 * committed state, and check mode answers SAME. When a release changes the journal or snapshot format, this test is
 * what says whether it still reads the journals of 0.1.0.
 */
class CommittedJournalIT {

    static final String FIXTURE = "/journal-fixtures/reprise-0.1.0.tar.gz";
    static final Duration START = Duration.ofSeconds(60);

    @TempDir
    Path work;

    @Test
    void aStartOnTheCommittedDirectoryRestoresItsSnapshotReplaysTheRestUnchangedAndHasItsState() throws Exception {
        Path data = unpack("serve");
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("serve", work, Launch.fixture(data, port, "-Dreprise.recovery.compare=body"))) {
            app.awaitPort(port, START);
            Matcher done = app.awaitOutput(CounterRecoveryIT.RECOVERY_DONE + "[^\\r\\n]*", START);
            assertThat(Long.parseLong(done.group(1))).as("a snapshot was restored: %s", done.group()).isNotNegative();
            assertThat(done.group()).contains("replayed 4 entries").doesNotContain("diverged")
                    .doesNotContain("without an outcome").doesNotContain("failed and skipped");
            assertThat(app.output()).doesNotContain("replay diverged").doesNotContain("skipping snapshot");
            assertThat(Http.get(port)).isEqualTo(42);
            HttpResponse<String> items = Http.send(port, "GET", "/items", null);
            assertThat(items.body()).isEqualTo("c,d");
            // The old journal takes new appends.
            assertThat(Http.increment(port)).isEqualTo(43);
        }
    }

    @Test
    void checkModeOnTheCommittedDirectoryAnswersSame() throws Exception {
        Path data = unpack("check");
        CheckModeIT.Check check = CheckModeIT.check(work, "check", data, "-Dreprise.recovery.compare=body");
        assertThat(check.status()).as(check.output()).isEqualTo(0);
        assertThat(check.output()).containsPattern("reprise check: " + java.util.regex.Pattern.quote(data.toString())
                        + ": replayed 4 entries after the snapshot at journal position \\d+ \\(compare=body\\): 0 diverged, 0 failed, "
                        + "0 without an outcome")
                .contains(CheckModeIT.SAME);
    }

    /** Unpacks the committed tarball into {@code <work>/<name>}; returns its data directory. */
    private Path unpack(String name) throws IOException, InterruptedException, URISyntaxException {
        URL resource = CommittedJournalIT.class.getResource(FIXTURE);
        assertThat(resource).as("%s on the test class path", FIXTURE).isNotNull();
        Path tarball = Path.of(resource.toURI());
        Path into = Files.createDirectories(work.resolve(name));
        Path log = work.resolve(name + "-tar.log");
        Process tar = new ProcessBuilder(List.of("tar", "-xzf", tarball.toString(), "-C", into.toString()))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!tar.waitFor(60, TimeUnit.SECONDS)) {
            tar.destroyForcibly();
            throw new AssertionError("tar did not unpack " + tarball + " within 60 s");
        }
        assertThat(tar.exitValue()).as("tar -xzf %s: %s", tarball, Files.readString(log)).isZero();
        Path data = into.resolve("data");
        assertThat(data.resolve("journal")).isDirectory();
        assertThat(data.resolve("snapshots")).isDirectory();
        return data;
    }
}
