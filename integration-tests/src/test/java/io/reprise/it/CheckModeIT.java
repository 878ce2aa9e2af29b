package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reprise.mode=check} through the real agent (issue 11): a data directory is replayed read-only through the
 * application when its server starts, a report is printed, and the JVM ends with 0 (every entry answered as it did
 * live), 1 (something diverged) or 2 (the directory cannot be replayed). The port never opens, and the directory is
 * byte-identical afterwards.
 */
class CheckModeIT {

    static final Duration START = Duration.ofSeconds(60);
    static final String SAME = "reprise check: SAME: every entry answered as it did live (exit status 0)";
    static final String DIVERGED = "reprise check: DIVERGED (exit status 1)";
    static final String CANNOT_REPLAY = "reprise check: CANNOT REPLAY (exit status 2)";

    @TempDir
    Path work;

    @Test
    void version1OfTheApplicationReplaysTheDirectorySameVersion2DivergesAtTheFirstCreateAndNothingIsWritten() throws Exception {
        Path data = work.resolve("data");
        writeItemsAndCounter(data);
        long firstCreate = dumpPositions(data, "POST", "/items").get(0);
        Map<String, String> before = fingerprint(data);

        Check v1 = check("v1", data);
        assertThat(v1.status).as(v1.output).isEqualTo(0);
        assertThat(v1.output)
                .contains("reprise check: " + data + ": replayed 7 entries from the start of the journal (compare=status): "
                        + "0 diverged, 0 failed, 0 without an outcome")
                .contains(SAME).doesNotContain("divergences").doesNotContain("fixture listening");
        assertThat(fingerprint(data)).as("the data directory after a check of version 1").isEqualTo(before);

        Check v2 = check("v2", data, "-Dfixture.items.wording=v2", "-Dreprise.recovery.compare=body");
        assertThat(v2.status).as(v2.output).isEqualTo(1);
        assertThat(v2.output)
                .contains("reprise check: " + data + ": replayed 7 entries from the start of the journal (compare=body): "
                        + "3 diverged, 0 failed, 0 without an outcome")
                .contains(DIVERGED).doesNotContain("SAME").doesNotContain("fixture listening");
        Matcher first = Pattern.compile("reprise check: divergences:\\R  journal position (\\d+) \\(POST /items\\): "
                + "live status 201, body crc32c \\p{XDigit}+ \\(9 bytes\\), replay status 201, body crc32c \\p{XDigit}+ "
                + "\\(14 bytes\\)\\R").matcher(v2.output);
        assertThat(first.find()).as("the first divergence in detail:\n%s", v2.output).isTrue();
        assertThat(Long.parseLong(first.group(1))).as("the first divergent position is the first create's, per dump")
                .isEqualTo(firstCreate);
        assertThat(v2.output.split("\\R  journal position \\d+ \\(POST /items\\)", -1)).as("one line per create").hasSize(4);
        assertThat(v2.output).as("the DELETE and the increments answered the same").doesNotContain("(DELETE ")
                .doesNotContain("(POST /counter");

        assertThat(fingerprint(data)).as("the data directory after both checks").isEqualTo(before);
    }

    @Test
    void aCheckOnTheDirectoryOfARunningServiceTakesNoLockAndAnswersSame() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm service = ChildJvm.start("service", work, Launch.fixture(data, port))) {
            service.awaitPort(port, START);
            assertThat(Http.createItem(port, "a").statusCode()).isEqualTo(201);
            assertThat(Http.increment(port)).isEqualTo(1);
            assertThat(Http.createItem(port, "b").statusCode()).isEqualTo(201);

            Check check = check("check", data, "-Dreprise.recovery.compare=body");
            assertThat(check.status).as(check.output).isEqualTo(0);
            assertThat(check.output).contains("replayed 3 entries from the start of the journal (compare=body): 0 diverged")
                    .contains(SAME).doesNotContain("in use by another process");

            assertThat(service.isAlive()).isTrue();
            assertThat(Http.increment(port)).as("the service goes on appending").isEqualTo(2);
            assertThat(Http.items(port)).isEqualTo("a,b");
        }
    }

    @Test
    void aDirectoryWithoutAJournalCannotBeReplayedAndStaysEmpty() throws Exception {
        Path data = Files.createDirectories(work.resolve("empty"));
        Check check = check("empty", data);
        assertThat(check.status).as(check.output).isEqualTo(2);
        assertThat(check.output).contains("reprise check: cannot replay " + data + ": ").contains("There is no journal")
                .contains(CANNOT_REPLAY).doesNotContain("fixture listening");
        try (Stream<Path> files = Files.list(data)) {
            assertThat(files.toList()).as("check mode creates nothing, not even a lock or journal/").isEmpty();
        }
    }

    @Test
    void aCorruptEntryInTheMiddleCannotBeReplayedAndIsNamed() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("live", work, Launch.fixture(data, port))) {
            app.awaitPort(port, START);
            for (int i = 0; i < 3; i++) {
                Http.increment(port);
            }
            Http.set(port, Long.parseLong(IntegrityIT.MARKER));
            for (int i = 0; i < 3; i++) {
                Http.increment(port);
            }
            app.kill();
        }
        Path corrupted = IntegrityIT.flipADigitOfTheMarker(data.resolve("journal"));
        Map<String, String> before = fingerprint(data);

        Check check = check("corrupt", data);
        assertThat(check.status).as(check.output).isEqualTo(2);
        assertThat(check.output).containsPattern("reprise check: cannot replay " + Pattern.quote(data.toString())
                        + ": .*position \\d+.*" + Pattern.quote(corrupted.getFileName().toString()))
                .contains(CANNOT_REPLAY).doesNotContain("SAME").doesNotContain("journal cut");
        assertThat(fingerprint(data)).as("nothing cut, nothing written").isEqualTo(before);
    }

    @Test
    void onTomcatTheCheckRunsInsideTheConnectorStartAndExitsSame() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm first = ChildJvm.start("live", work, Launch.fixture(ReplayOutcomeIT.TOMCAT, data, port))) {
            first.awaitPort(port, START);
            for (String id : new String[] {"a", "b"}) {
                assertThat(Http.send(port, "POST", "/records/" + id, "text/plain", id.getBytes(StandardCharsets.UTF_8), false)
                        .statusCode()).isEqualTo(200);
            }
            first.kill();
        }
        Map<String, String> before = fingerprint(data);
        int port2 = Launch.freePort();
        try (ChildJvm check = ChildJvm.start("check", work, Launch.fixture(ReplayOutcomeIT.TOMCAT, data, port2,
                "-Dreprise.mode=check", "-Dreprise.recovery.compare=body"))) {
            // Plain Tomcat binds before the check (docs/servers.md), so the port is not watched here: the JVM halts
            // inside the connector's start, before Tomcat serves anything.
            int status = check.waitFor(START);
            String output = check.output();
            assertThat(status).as(output).isEqualTo(0);
            assertThat(output).contains("replayed 2 entries from the start of the journal (compare=body): 0 diverged, 0 failed")
                    .contains(SAME).doesNotContain("tomcat fixture listening");
        }
        assertThat(fingerprint(data)).isEqualTo(before);
    }

    /** Two increments, creates a, b, c, deletes b, one increment; SIGKILL. Seven journaled entries with outcomes. */
    private void writeItemsAndCounter(Path data) throws Exception {
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("live", work, Launch.fixture(data, port))) {
            app.awaitPort(port, START);
            assertThat(Http.increment(port)).isEqualTo(1);
            assertThat(Http.increment(port)).isEqualTo(2);
            for (String id : new String[] {"a", "b", "c"}) {
                HttpResponse<String> created = Http.createItem(port, id);
                assertThat(created.statusCode()).isEqualTo(201);
                assertThat(created.body()).isEqualTo("created " + id);
            }
            assertThat(Http.send(port, "DELETE", "/items/b", null).statusCode()).isEqualTo(200);
            assertThat(Http.increment(port)).isEqualTo(3);
            assertThat(Http.items(port)).isEqualTo("a,c");
            app.kill();
        }
    }

    /** The outcome of one check-mode run of the fixture on {@code data}. */
    record Check(int status, String output) {
    }

    /**
     * Runs FixtureApp in check mode on {@code data} until it ends, and fails if its port accepted a connection at any
     * time it was looked at while the JVM ran (the JDK server binds only after recovery; check mode never gets there).
     */
    Check check(String name, Path data, String... jvmOptions) {
        return check(work, name, data, jvmOptions);
    }

    static Check check(Path work, String name, Path data, String... jvmOptions) {
        List<String> options = new ArrayList<>(List.of("-Dreprise.mode=check"));
        options.addAll(List.of(jvmOptions));
        int port = Launch.freePort();
        try (ChildJvm jvm = ChildJvm.start(name, work, Launch.fixture(data, port, options.toArray(String[]::new)))) {
            long deadline = System.nanoTime() + START.toNanos();
            int looks = 0;
            while (jvm.isAlive() && System.nanoTime() < deadline) {
                assertThat(ChildJvm.accepts(port)).as("port %d accepted a connection in check mode:\n%s", port, jvm.output())
                        .isFalse();
                looks++;
                ChildJvm.pause();
            }
            int status = jvm.waitFor(Duration.ofSeconds(5));
            assertThat(ChildJvm.accepts(port)).isFalse();
            assertThat(looks).as("the port was looked at while the check ran").isPositive();
            return new Check(status, jvm.output());
        }
    }

    /** Positions of the entries with this method and target, in journal order, from {@code reprise-tools dump}. */
    static List<Long> dumpPositions(Path data, String method, String target) {
        Path work = data.getParent();
        try (ChildJvm dump = ChildJvm.start("dump", work, List.of("-jar", Launch.toolsJar(), "dump", data.toString()))) {
            int status = dump.waitFor(START);
            String output = dump.output();
            assertThat(status).as("reprise-tools dump:\n%s", output).isZero();
            Pattern line = Pattern.compile("^\\{\"position\":(\\d+),\"time\":\"[^\"]*\",\"method\":\"" + Pattern.quote(method)
                    + "\",\"target\":\"" + Pattern.quote(target) + "\",", Pattern.MULTILINE);
            List<Long> positions = new ArrayList<>();
            for (Matcher m = line.matcher(output); m.find(); ) {
                positions.add(Long.parseLong(m.group(1)));
            }
            if (positions.isEmpty()) {
                fail("no " + method + " " + target + " entry in the dump:\n" + output);
            }
            return positions;
        }
    }

    /** Every file and directory under {@code root}: its relative path mapped to its type, mode, size and SHA-256. */
    static Map<String, String> fingerprint(Path root) throws IOException {
        Map<String, String> prints = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.toList()) {
                String mode = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
                String print;
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    print = "file " + mode + " " + Files.size(p) + " bytes, sha-256 " + sha256(p) + ", modified "
                            + Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
                } else {
                    print = (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "directory " : "other ") + mode;
                }
                prints.put(root.relativize(p).toString(), print);
            }
        }
        assertThat(prints).as("files under %s", root).hasSizeGreaterThan(1);
        return prints;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
