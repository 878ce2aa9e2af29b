package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting the agent: configuration errors, turning it off, staying quiet, keeping the data directory private. */
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

    /**
     * The journal holds every journaled request's headers and body (tokens, cookies, passwords): whatever the umask
     * of the service (the test JVM's is the usual 022, under which a new directory is rwxr-xr-x), nobody but the
     * service's user can read what the agent writes, and a journal directory found open is closed with a warning.
     */
    @Test
    void onlyTheServicesUserCanReadTheJournalAndAnOpenJournalDirectoryIsClosedWithAWarning() throws Exception {
        assumeTrue(work.getFileSystem().supportedFileAttributeViews().contains("posix"),
                "the temporary directory has no POSIX permissions");
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm first = ChildJvm.start("first", work, Launch.counter(data, port))) {
            first.awaitPort(port, START);
            Http.increment(port);
            first.terminate();
            assertThat(first.output()).contains("reprise: final snapshot at journal position")
                    .doesNotContain("open to group or others");
        }
        Path journal = data.resolve("journal");
        Path snapshot = any(data.resolve("snapshots"), ".snap");
        Path cycleFile = any(journal, ".cq4");
        assertThat(mode(data)).as("the data directory, created by the agent").isEqualTo("rwx------");
        assertThat(mode(journal)).isEqualTo("rwx------");
        assertThat(mode(data.resolve("snapshots"))).isEqualTo("rwx------");
        assertThat(mode(data.resolve("reprise.lock"))).isEqualTo("rw-------");
        assertThat(mode(snapshot)).isEqualTo("rw-------");
        // Chronicle creates its files with the umask's mode; the journal directory is what keeps them private.
        assertThat(readableByGroupOrOthers(cycleFile, data)).as(cycleFile + " is " + mode(cycleFile)).isFalse();
        assertThat(readableByGroupOrOthers(snapshot, data)).isFalse();

        Files.setPosixFilePermissions(journal, PosixFilePermissions.fromString("rwxr-xr-x")); // as an older release left it
        int port2 = Launch.freePort();
        try (ChildJvm second = ChildJvm.start("second", work, Launch.counter(data, port2))) {
            second.awaitPort(port2, START);
            String warning = second.awaitOutput("WARNING: reprise: the data directory .*", START).group();
            assertThat(warning).contains(journal + " was rwxr-xr-x, now rwx------")
                    .contains("fsGroupChangePolicy: OnRootMismatch");
            assertThat(mode(journal)).isEqualTo("rwx------");
            assertThat(Http.get(port2)).as("recovered as before").isEqualTo(1);
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** A file in {@code dir} whose name ends with {@code suffix}. */
    private static Path any(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + suffix + " file in " + dir));
        }
    }

    /**
     * Whether a user other than the owner can read {@code file}: as the group, or as anyone else, the file must grant
     * read and every directory from {@code top} down to it must grant search.
     */
    private static boolean readableByGroupOrOthers(Path file, Path top) throws IOException {
        return readableBy(file, top, PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE)
                || readableBy(file, top, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE);
    }

    private static boolean readableBy(Path file, Path top, PosixFilePermission read, PosixFilePermission search)
            throws IOException {
        if (!Files.getPosixFilePermissions(file).contains(read)) {
            return false;
        }
        for (Path dir = file.getParent(); dir != null && dir.startsWith(top); dir = dir.getParent()) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
            if (!permissions.contains(search)) {
                return false;
            }
        }
        return true;
    }
}
