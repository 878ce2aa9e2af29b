package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** C6 at start-up, through the real agent: a corrupt journal entry is detected, named, and cut only on request. */
class IntegrityIT {

    static final Duration START = Duration.ofSeconds(60);
    static final String MARKER = "987654321987";

    @TempDir
    Path work;

    @Test
    void aCorruptEntryStopsStartupNamingFileAndPositionAndIsCutOnlyWhenTheOperatorAllows() throws Exception {
        Path data = work.resolve("data");
        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.counter(data, port))) {
            app.awaitPort(port, START);
            for (int i = 0; i < 5; i++) {
                Http.increment(port);
            }
            Http.set(port, Long.parseLong(MARKER));
            for (int i = 0; i < 3; i++) {
                Http.increment(port);
            }
            app.kill();
        }
        Path corrupted = flipADigitOfTheMarker(data.resolve("journal"));

        int port2 = Launch.freePort();
        try (ChildJvm stops = ChildJvm.start("stops", work, Launch.counter(data, port2))) {
            assertThat(stops.waitFor(START)).isNotZero();
            assertThat(stops.output())
                    .containsPattern("position \\d+")
                    .contains(corrupted.getFileName().toString())
                    .contains("reprise.recovery.truncate-corrupt=true");
            assertThat(ChildJvm.accepts(port2)).isFalse();
        }

        int port3 = Launch.freePort();
        try (ChildJvm cuts = ChildJvm.start("cuts", work, Launch.counter(data, port3, "-Dreprise.recovery.truncate-corrupt=true"))) {
            cuts.awaitPort(port3, START);
            assertThat(Http.get(port3)).as("the entries before the corrupt one").isEqualTo(5);
            assertThat(cuts.output()).containsPattern("journal cut at position \\d+");
            try (Stream<Path> dirs = Files.list(data)) {
                List<Path> copies = dirs.filter(p -> p.getFileName().toString().startsWith("journal-cut-")).toList();
                assertThat(copies).as("a copy of what was cut").hasSize(1);
                try (Stream<Path> files = Files.list(copies.get(0))) {
                    assertThat(files.map(p -> p.getFileName().toString())).contains(corrupted.getFileName().toString());
                }
            }
            assertThat(Http.increment(port3)).isEqualTo(6);
            cuts.kill();
        }

        int port4 = Launch.freePort();
        try (ChildJvm again = ChildJvm.start("again", work, Launch.counter(data, port4))) {
            again.awaitPort(port4, START);
            assertThat(Http.get(port4)).as("the cut journal takes appends that survive").isEqualTo(6);
        }
    }

    /** Changes one digit of the PUT body in the journal file, so that its entry fails its checksum. */
    static Path flipADigitOfTheMarker(Path journal) throws Exception {
        byte[] marker = MARKER.getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.list(journal)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".cq4")).toList()) {
                byte[] bytes = Files.readAllBytes(file);
                for (int i = 0; i + marker.length <= bytes.length; i++) {
                    int j = 0;
                    while (j < marker.length && bytes[i + j] == marker[j]) {
                        j++;
                    }
                    if (j == marker.length) {
                        bytes[i + 3] = '0';
                        Files.write(file, bytes);
                        return file;
                    }
                }
            }
        }
        throw new AssertionError("the marker " + MARKER + " is not in the journal");
    }
}
