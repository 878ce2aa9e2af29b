package io.reprise.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.reprise.journal.Header;
import io.reprise.journal.Journal;
import io.reprise.journal.JournalCorruptException;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.JournalReader;
import io.reprise.journal.Outcome;
import io.reprise.snapshot.store.PendingSnapshot;
import io.reprise.snapshot.store.SnapshotStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the real tools/target/reprise-tools.jar with {@code java -jar} and no other flag, in a child JVM
 * (JDK 17, and JDK 25 in the second failsafe run), on data directories written through the Journal and
 * SnapshotStore APIs.
 */
class RepriseToolIT {

    private static final Path JAR = Path.of(System.getProperty("reprise.it.tools.jar"));
    private static final Path JAVA = Path.of(System.getProperty("reprise.it.java.home", System.getProperty("java.home")),
            "bin", "java");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;

    private final List<Long> positions = new ArrayList<>();
    private long snapshotPosition;

    private static final byte[] BINARY = {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0x80};

    /** Six entries (text, binary, UTF-8 bodies, repeated headers) and a snapshot after the third, with a section. */
    @BeforeEach
    void writeDataDirectory() throws IOException {
        try (Journal journal = Journal.open(data.resolve("journal"))) {
            for (int i = 0; i < 6; i++) {
                byte[] body = i == 1 ? BINARY : ("Grüße " + i + " " + "x".repeat(i * 10)).getBytes(StandardCharsets.UTF_8);
                positions.add(journal.append(i % 2 == 0 ? "POST" : "PUT", "/items/" + i + "?q=%20ä",
                        List.of(new Header("X-Tag", "a"), new Header("X-Tag", "b"), new Header("Content-Type", "text/plain")),
                        body));
            }
        }
        snapshotPosition = positions.get(2);
        SnapshotStore store = new SnapshotStore(data.resolve("snapshots"));
        try (PendingSnapshot pending = store.begin()) {
            pending.writeSection("sessions", 1, out -> out.write(new byte[1234]));
            pending.stream().write("state after three".getBytes(StandardCharsets.UTF_8));
            pending.commit(snapshotPosition);
        }
    }

    @Test
    void summaryShowsPositionsFilesTimeRangeAndVerifiedSnapshots() throws Exception {
        Run run = tool("summary", data.toString());

        assertThat(run.status).as(run.toString()).isZero();
        assertThat(run.out)
                .contains("entries       6")
                .contains("positions     " + positions.get(0) + " .. " + positions.get(5))
                .contains("time range    20")
                .contains("end           clean")
                .contains("files         1")
                .containsPattern("\\d{8}F\\.cq4 +day \\d{4}-\\d\\d-\\d\\d")
                .contains("position " + snapshotPosition)
                .contains("verified")
                .contains("format 2, Reprise sections: sessions (version 1, 1,234 bytes)");
        assertThat(run.err).as("nothing on stderr, no JDK warnings").isEmpty();
    }

    @Test
    void verifyPassesOnAnIntactDirectory() throws Exception {
        Run run = tool("verify", data.toString());

        assertThat(run.status).as(run.toString()).isZero();
        assertThat(run.out).contains("6 entries").contains("verify: all is well")
                .contains("Reprise sections: sessions (version 1, 1,234 bytes)");
    }

    @Test
    void verifyFailsOnAFlippedByteNamingFileAndPosition() throws Exception {
        Path file = flipByteIn("Grüße 4 ".getBytes(StandardCharsets.UTF_8));

        Run run = tool("verify", data.toString());

        assertThat(run.status).as(run.toString()).isEqualTo(1);
        assertThat(run.out).contains("FAIL  journal: Journal entry at position " + positions.get(4) + " in " + file.toRealPath())
                .contains("checksum mismatch")
                .contains("truncate --at " + positions.get(4));
    }

    @Test
    void verifyFailsOnACorruptSnapshotNamingIt() throws Exception {
        Path snapshot;
        try (Stream<Path> files = Files.list(data.resolve("snapshots"))) {
            snapshot = files.filter(p -> p.toString().endsWith(".snap")).findFirst().orElseThrow();
        }
        try (RandomAccessFile raf = new RandomAccessFile(snapshot.toFile(), "rw")) {
            raf.seek(raf.length() - 3);
            raf.write('!');
        }

        Run run = tool("verify", data.toString());

        assertThat(run.status).as(run.toString()).isEqualTo(1);
        assertThat(run.out).contains("FAIL  snapshot " + snapshot.toAbsolutePath().normalize()).contains("checksum mismatch");
    }

    @Test
    void dumpPrintsJsonLinesThatParseBackToTheEntries() throws Exception {
        Run run = tool("dump", data.toString());

        assertThat(run.status).as(run.toString()).isZero();
        List<JsonNode> lines = jsonLines(run.out);
        assertThat(lines).hasSize(6);
        List<JournalEntry> entries = readJournal();
        for (int i = 0; i < 6; i++) {
            JsonNode line = lines.get(i);
            JournalEntry entry = entries.get(i);
            assertThat(line.get("position").asLong()).isEqualTo(entry.position());
            assertThat(java.time.Instant.parse(line.get("time").asText()).toEpochMilli()).isEqualTo(entry.timeMillis());
            assertThat(line.get("method").asText()).isEqualTo(entry.method());
            assertThat(line.get("target").asText()).isEqualTo(entry.target());
            List<Header> headers = new ArrayList<>();
            line.get("headers").forEach(h -> headers.add(new Header(h.get("name").asText(), h.get("value").asText())));
            assertThat(headers).isEqualTo(entry.headers());
            byte[] body = line.get("bodyEncoding").asText().equals("base64")
                    ? Base64.getDecoder().decode(line.get("body").asText())
                    : line.get("body").asText().getBytes(StandardCharsets.UTF_8);
            assertThat(body).isEqualTo(entry.body());
        }
        assertThat(lines.get(1).get("bodyEncoding").asText()).as("a body that is not UTF-8").isEqualTo("base64");
        assertThat(lines.get(0).get("bodyEncoding").asText()).isEqualTo("utf-8");
        assertThat(lines.get(0).get("body").asText()).isEqualTo("Grüße 0 ");
    }

    @Test
    void dumpHonoursFromToLimitAndBase64() throws Exception {
        Run range = tool("dump", data.toString(), "--from", positions.get(1).toString(), "--to", positions.get(4).toString());
        Run limited = tool("dump", "--limit", "2", "--base64", data.toString());

        assertThat(jsonLines(range.out)).extracting(n -> n.get("position").asLong()).containsExactlyElementsOf(positions.subList(1, 5));
        assertThat(jsonLines(limited.out)).hasSize(2).allSatisfy(n -> assertThat(n.get("bodyEncoding").asText()).isEqualTo("base64"));
        assertThat(Base64.getDecoder().decode(jsonLines(limited.out).get(0).get("body").asText()))
                .isEqualTo("Grüße 0 ".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void truncateRefusesWhileTheDataDirectoryIsLockedAndNamesThePid() throws Exception {
        Path lockFile = data.resolve("reprise.lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            channel.write(ByteBuffer.wrap("4242\n".getBytes(StandardCharsets.US_ASCII)), 0);

            Run run = tool("truncate", "--at", positions.get(3).toString(), data.toString());

            assertThat(run.status).as(run.toString()).isEqualTo(3);
            assertThat(run.err).contains("in use by another process (pid 4242");
        }
        assertThat(readJournal()).hasSize(6);
        try (Stream<Path> entries = Files.list(data)) {
            assertThat(entries.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("journal-cut-"));
        }
    }

    @Test
    void truncateAtACorruptEntryCopiesFirstThenLeavesAJournalThatVerifiesAndTakesAppends() throws Exception {
        flipByteIn("Grüße 4 ".getBytes(StandardCharsets.UTF_8));
        long corrupt;
        try (Journal journal = Journal.open(data.resolve("journal"));
             JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            corrupt = nextCorruptPosition(reader);
        }
        assertThat(corrupt).isEqualTo(positions.get(4));

        Run run = tool("truncate", "--at", Long.toString(corrupt), data.toString());

        assertThat(run.status).as(run.toString()).isZero();
        assertThat(run.out).contains("it now ends at   position " + positions.get(3)).contains("journal-cut-");
        Path cutDirectory;
        try (Stream<Path> entries = Files.list(data)) {
            cutDirectory = entries.filter(p -> p.getFileName().toString().startsWith("journal-cut-")).findFirst().orElseThrow();
        }
        assertThat(cutDirectory.resolve("README.txt")).exists();
        try (Stream<Path> copies = Files.list(cutDirectory)) {
            assertThat(copies.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".cq4"));
        }
        assertThat(tool("verify", data.toString()).status).isZero();
        try (Journal journal = Journal.open(data.resolve("journal"))) {
            assertThat(journal.append("POST", "/after", List.of(), null)).isEqualTo(corrupt);
        }
        assertThat(readJournal()).extracting(JournalEntry::target).endsWith("/after").hasSize(5);
    }

    @Test
    void truncateMovesSnapshotsThatCoverRemovedEntriesIntoTheCutDirectory() throws Exception {
        Run run = tool("truncate", "--at", Long.toString(snapshotPosition), data.toString());

        assertThat(run.status).as(run.toString()).isZero();
        assertThat(run.out).contains("snapshot moved");
        try (Stream<Path> left = Files.list(data.resolve("snapshots"))) {
            assertThat(left.filter(p -> p.toString().endsWith(".snap"))).isEmpty();
        }
        assertThat(tool("verify", data.toString()).status).isZero();
    }

    /** Entries with outcomes, one whose process stopped before its outcome, one of the old kind; a snapshot at an outcome. */
    @Test
    void dumpShowsEachEntrysOutcomeAndSummaryCountsEntriesWithoutOne() throws Exception {
        Path dir = data.resolve("with-outcomes");
        byte[] answer = "{\"id\":7}".getBytes(StandardCharsets.UTF_8);
        Outcome created = Outcome.answered(201, Outcome.digest(answer, 0, answer.length));
        long lastOutcome;
        try (Journal journal = Journal.open(dir.resolve("journal"))) {
            journal.append("POST", "/old", List.of(), null);
            journal.appendOutcome(journal.appendRequest("POST", "/items", List.of(), answer), created);
            journal.appendRequest("POST", "/died", List.of(), null);
            journal.appendOutcome(journal.appendRequest("DELETE", "/items/9", List.of(), null),
                    Outcome.threw("java.lang.IllegalStateException", "no item 9"));
            lastOutcome = journal.appendOutcome(journal.appendRequest("PUT", "/items/7", List.of(), null), Outcome.answered(204, 0));
        }
        try (PendingSnapshot pending = new SnapshotStore(dir.resolve("snapshots")).begin()) {
            pending.stream().write("state".getBytes(StandardCharsets.UTF_8));
            pending.commit(lastOutcome);
        }

        Run verify = tool("verify", dir.toString());
        Run dump = tool("dump", dir.toString());
        Run summary = tool("summary", dir.toString());

        assertThat(verify.status).as("a snapshot may cover an outcome record: %s", verify).isZero();
        assertThat(verify.out).contains("5 entries").contains("verify: all is well");
        assertThat(dump.status).as(dump.toString()).isZero();
        assertThat(jsonLines(dump.out)).extracting(n -> n.get("target").asText() + " -> " + n.get("outcome").asText())
                .containsExactly(
                        "/old -> not recorded (written before outcomes)",
                        String.format("/items -> status 201, body crc32c %08x (8 bytes)", (int) (created.bodyDigest() >>> 32)),
                        "/died -> none (the process stopped before it was recorded, or it is being written now)",
                        "/items/9 -> threw java.lang.IllegalStateException: no item 9",
                        "/items/7 -> status 204");
        assertThat(summary.status).as(summary.toString()).isZero();
        assertThat(summary.out)
                .contains("entries       5\n")
                .contains("records       8 (entries and their outcome records)")
                .contains("outcomes      3 recorded, 1 missing (the process stopped before it was recorded")
                .contains(", 1 entries written before outcomes")
                .contains("end           clean")
                .containsPattern("\\d{8}F\\.cq4 .* 8 records");

        try (Journal journal = Journal.open(dir.resolve("journal"))) {
            journal.appendRequest("POST", "/last", List.of(), null); // stopped before its outcome, at the end
        }
        List<JsonNode> after = jsonLines(tool("dump", "--from", Long.toString(lastOutcome), dir.toString()).out);
        assertThat(after).extracting(n -> n.get("target").asText() + " -> " + n.get("outcome").asText())
                .containsExactly("/last -> none (the process stopped before it was recorded, or it is being written now)");
        assertThat(tool("summary", dir.toString()).out).contains("outcomes      3 recorded, 2 missing");
    }

    @Test
    void aDirectoryThatIsNotADataDirectoryIsRefusedWithStatusOne() throws Exception {
        Run run = tool("summary", data.resolve("journal").toString());

        assertThat(run.status).isEqualTo(1);
        assertThat(run.err).contains("not a Reprise data directory");
        assertThat(tool("dump", "--limit", "x", data.toString()).status).as("usage error").isEqualTo(2);
    }

    private static long nextCorruptPosition(JournalReader reader) {
        try {
            while (reader.next() != null) {
                // read up to the damage
            }
            throw new AssertionError("no corrupt entry found");
        } catch (JournalCorruptException e) {
            return e.position();
        }
    }

    private List<JournalEntry> readJournal() throws IOException {
        List<JournalEntry> entries = new ArrayList<>();
        try (Journal journal = Journal.open(data.resolve("journal"));
             JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
                entries.add(e);
            }
        }
        return entries;
    }

    private static List<JsonNode> jsonLines(String out) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                nodes.add(JSON.readTree(line));
            }
        }
        return nodes;
    }

    /** Flips a byte inside the only occurrence of {@code marker} in the journal files; returns the file. */
    private Path flipByteIn(byte[] marker) throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("journal"))) {
            for (Path file : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".cq4"))::iterator) {
                byte[] content = Files.readAllBytes(file);
                outer:
                for (int i = 0; i + marker.length <= content.length; i++) {
                    for (int j = 0; j < marker.length; j++) {
                        if (content[i + j] != marker[j]) {
                            continue outer;
                        }
                    }
                    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                        raf.seek(i + 2);
                        raf.write(content[i + 2] ^ 0x01);
                    }
                    return file;
                }
            }
        }
        throw new AssertionError("marker not found");
    }

    private record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** {@code java -jar reprise-tools.jar ARGS}, nothing else on the command line. */
    private Run tool(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(data, "out", ".txt");
        Path err = Files.createTempFile(data, "err", ".txt");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the tool did not finish within 120 s: " + command);
        }
        Run run = new Run(process.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return run;
    }
}
