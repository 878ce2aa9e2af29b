package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recorded non-determinism in a library's classes (issue 12): a Spring Boot 4 application on Tomcat 11 keeps notes in
 * an in-memory H2 database through Spring Data JPA, and Hibernate, not the application, makes each note's UUID
 * ({@code @UuidGenerator}) and its creation time ({@code @CreationTimestamp Instant}). There is no SnapshotProvider:
 * each start replays the whole journal into a fresh database, and the notes come back with the ids and times they had.
 * With {@code reprise.deterministic=false} (the control) every create diverges, and the first is named.
 */
class SpringJpaReplayIT {

    static final Duration START = LedgerRecoveryIT.START;

    @TempDir
    Path work;

    @Test
    void notesWhoseIdsAndCreationTimesHibernateMadeComeBackIdenticalFromTheJournalIntoAFreshDatabase() throws Exception {
        String jar = Launch.notesJpaBoot4Jar();
        Path data = work.resolve("data");
        String compareBody = "-Dreprise.recovery.compare=body";
        int port = Launch.freePort();
        String before;
        try (ChildJvm live = ChildJvm.start("live", work, Launch.springBoot(jar, data, port, compareBody))) {
            live.awaitPort(port, START);
            assertThat(live.output()).contains("Tomcat").contains("Hibernate");
            Set<String> ids = new HashSet<>();
            for (int i = 1; i <= 10; i++) {
                HttpResponse<String> r = Http.send(port, "POST", "/notes", "text/plain",
                        ("note " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
                assertThat(r.body()).matches("[0-9a-f-]{36} \\S+ note " + i);
                ids.add(r.body().substring(0, 36));
            }
            assertThat(ids).as("Hibernate made ten ids").hasSize(10);
            before = notes(port);
            live.kill();
        }
        assertThat(before.split("\n")).hasSize(10);

        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.springBoot(jar, data, port2, compareBody))) {
            again.awaitPort(port2, START);
            assertThat(notes(port2)).isEqualTo(before);
            String done = again.awaitOutput(ReplayOutcomeIT.DONE_LINE, START).group();
            assertThat(done).contains("snapshot position -1").contains("replayed 10 entries").doesNotContain("diverged")
                    .doesNotContain("without an outcome").doesNotContain("failed and skipped");
            assertThat(again.output()).doesNotContain("replay diverged");
        }
    }

    /**
     * The control: with {@code reprise.deterministic=false} Hibernate makes new ids and times on replay, and the first
     * entry whose answer differs, the first create, is named.
     */
    @Test
    void withoutRecordedValuesTheReplayedNotesDivergeAndTheFirstCreateIsNamed() throws Exception {
        String jar = Launch.notesJpaBoot4Jar();
        Path data = work.resolve("data");
        String[] options = {"-Dreprise.recovery.compare=body", "-Dreprise.deterministic=false"};
        int port = Launch.freePort();
        try (ChildJvm live = ChildJvm.start("live", work, Launch.springBoot(jar, data, port, options))) {
            live.awaitPort(port, START);
            for (int i = 1; i <= 3; i++) {
                HttpResponse<String> r = Http.send(port, "POST", "/notes", "text/plain",
                        ("note " + i).getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            }
            live.kill();
        }
        long firstCreate = CheckModeIT.dumpPositions(data, "POST", "/notes").get(0);

        int port2 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.springBoot(jar, data, port2, options))) {
            again.awaitPort(port2, START);
            String done = again.awaitOutput(ReplayOutcomeIT.DONE_LINE, START).group();
            assertThat(done).contains("replayed 3 entries").contains("3 diverged");
            java.util.regex.Matcher first = java.util.regex.Pattern.compile(
                    "reprise: replay diverged at journal position (\\d+) \\(([A-Z]+ [^)]*)\\): ([^\\r\\n]*)")
                    .matcher(again.output());
            assertThat(first.find()).as("a divergence line in:\n%s", again.output()).isTrue();
            assertThat(first.group(2)).isEqualTo("POST /notes");
            assertThat(Long.parseLong(first.group(1))).as("the first create's position, per dump").isEqualTo(firstCreate);
            assertThat(first.group(3)).startsWith("live status 201, body crc32c ").contains("replay status 201, body crc32c ");
        }
    }

    private static String notes(int port) throws Exception {
        HttpResponse<String> r = Http.send(port, "GET", "/notes", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }
}
