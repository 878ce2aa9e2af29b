package io.reprise.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.impl.TableStore;
import net.openhft.chronicle.queue.impl.single.TableStoreWriteLock;
import net.openhft.chronicle.queue.impl.table.Metadata;
import net.openhft.chronicle.queue.impl.table.SingleTableBuilder;
import net.openhft.chronicle.threads.Pauser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.reprise.journal.JournalTest.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** What a writer that died mid-append leaves behind, and how the next process carries on from it. */
class JournalCrashTest {

    @TempDir
    Path data;

    private Path dir() {
        return data.resolve("journal");
    }

    @Test
    void anEntryCutByACrashIsDroppedWithAWarningNamingItsPositionAndFileAndTheNextAppendTakesItsPlace() throws Exception {
        runCrashingWriter(0, 3);

        try (LogCapture log = new LogCapture(); Journal journal = Journal.open(dir())) {
            Path file = JournalFilesOnDisk.cycleFiles(dir()).get(0).toRealPath();
            long cutPosition;
            try (JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
                List<String> survivors = new ArrayList<>();
                for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
                    survivors.add(e.target());
                }
                assertThat(survivors).containsExactly("/n/0", "/n/1", "/n/2");
                IncompleteEntry incomplete = reader.incompleteEntry().orElseThrow();
                cutPosition = journal.lastPosition() + 1;
                assertThat(incomplete.position()).isEqualTo(cutPosition);
                assertThat(incomplete.file()).isEqualTo(file);
                assertThat(incomplete.startedMillis()).isCloseTo(System.currentTimeMillis(), within(120_000L));
                assertThat(reader.next()).as("polling at the end").isNull();
            }
            assertThat(log.warnings()).filteredOn(m -> m.contains("cut off by a crash")).singleElement().satisfies(m -> assertThat(m)
                    .contains("position " + cutPosition).contains(file.toString()).contains("cut off by a crash"));

            long next = journal.append("POST", "/after-restart", List.of(), null);

            assertThat(next).isEqualTo(cutPosition);
            try (JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
                assertThat(drain(reader)).containsExactly("/n/0", "/n/1", "/n/2", "/after-restart");
                assertThat(reader.incompleteEntry()).as("the remnant is overwritten").isEmpty();
            }
        }
        try (LogCapture log = new LogCapture(); Journal journal = Journal.open(dir());
             JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            assertThat(drain(reader)).containsExactly("/n/0", "/n/1", "/n/2", "/after-restart");
            assertThat(reader.incompleteEntry()).as("what is left of the remnant after a shorter entry").isEmpty();
            assertThat(log.warnings()).noneMatch(m -> m.contains("cut off by a crash"));
        }
    }

    @Test
    void anOutcomeCutByACrashIsAnIncompleteRecordAndItsEntryReadsAsMissingItsOutcome() throws Exception {
        runCrashingWriter(List.of(dir().toString(), "0", "2", "outcome"));

        try (LogCapture log = new LogCapture(); Journal journal = Journal.open(dir())) {
            Path file = JournalFilesOnDisk.cycleFiles(dir()).get(0).toRealPath();
            long request = journal.lastPosition();
            try (JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
                assertThat(reader.next().target()).isEqualTo("/n/0");
                assertThat(reader.next().target()).isEqualTo("/n/1");
                JournalEntry cut = reader.next();
                assertThat(cut.target()).isEqualTo("/cut-outcome");
                assertThat(cut.position()).isEqualTo(request);
                assertThat(cut.outcomeMissing()).as("the outcome never completed").isTrue();
                assertThat(reader.next()).isNull();
                IncompleteEntry incomplete = reader.incompleteEntry().orElseThrow();
                assertThat(incomplete.position()).isEqualTo(request + 1);
                assertThat(incomplete.file()).isEqualTo(file);
            }
            assertThat(log.warnings()).filteredOn(m -> m.contains("cut off by a crash")).singleElement()
                    .satisfies(m -> assertThat(m).contains("position " + (request + 1)));

            long outcome = journal.appendOutcome(request, Outcome.answered(204, 0));
            assertThat(outcome).as("the next append takes the cut record's place").isEqualTo(request + 1);
            try (JournalReader reader = journal.readAfter(request - 1)) {
                assertThat(reader.next().outcome()).isEqualTo(Outcome.answered(204, 0));
                assertThat(reader.next()).isNull();
                assertThat(reader.incompleteEntry()).isEmpty();
            }
        }
    }

    @Test
    void aJournalThatEndsCleanlyReportsNoIncompleteEntry() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            journal.append("POST", "/a", List.of(), null);
            try (JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
                assertThat(drain(reader)).containsExactly("/a");
                assertThat(reader.incompleteEntry()).isEmpty();
            }
        }
    }

    /** The writer is killed from outside (SIGKILL), wherever it happens to be in its append loop. */
    @Test
    void aWriterKilledWithSigkillLeavesAJournalThatReadsToItsEndAndTakesAppends() throws Exception {
        Process writer = startWriter(List.of(dir().toString(), "0", "0", "loop"));
        try {
            // Kill it once it has appended a thousand entries: it is then inside its tight append loop.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(writerLog()) || !Files.readString(writerLog()).contains("appended 1000")) {
                assertThat(writer.isAlive()).as("the writer died early: %s", Files.exists(writerLog()) ? Files.readString(writerLog()) : "").isTrue();
                assertThat(System.nanoTime()).as("the writer appended 1000 entries within 60 s").isLessThan(deadline);
                Thread.sleep(10);
            }
        } finally {
            writer.destroyForcibly(); // SIGKILL on Linux and macOS
            writer.waitFor(60, TimeUnit.SECONDS);
        }

        try (Journal journal = Journal.open(dir())) {
            long last = journal.lastPosition();
            List<JournalEntry> survivors = new ArrayList<>();
            try (JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
                for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
                    survivors.add(e);
                }
                reader.incompleteEntry().ifPresent(cut -> assertThat(cut.position()).isEqualTo(last + 1));
            }
            assertThat(survivors).isNotEmpty();
            assertThat(survivors.get(survivors.size() - 1).position()).isEqualTo(last);
            for (int i = 0; i < survivors.size(); i++) {
                assertThat(survivors.get(i).target()).isEqualTo("/loop/" + i);
            }

            long next = journal.append("POST", "/after-kill", List.of(), null);

            assertThat(next).isEqualTo(last + 1);
            assertThat(readAll(journal, last)).extracting(JournalEntry::target).containsExactly("/after-kill");
        }
    }

    @Test
    void aCrashOnOneDayDoesNotHideTheEntriesOfTheNextDay() throws Exception {
        Instant lateOnMonday = Instant.parse("2026-11-23T23:58:00Z");
        runCrashingWriter(lateOnMonday.toEpochMilli(), 2);

        SetTimeProvider tuesday = new SetTimeProvider(lateOnMonday.plusSeconds(600));
        try (Journal journal = Journal.open(dir(), tuesday)) {
            assertThat(readAll(journal, Journal.NO_POSITION)).extracting(JournalEntry::target)
                    .containsExactly("/n/0", "/n/1");

            journal.append("POST", "/tuesday", List.of(), null);

            assertThat(readAll(journal, Journal.NO_POSITION)).extracting(JournalEntry::target)
                    .containsExactly("/n/0", "/n/1", "/tuesday");
        }
        try (Stream<Path> files = Files.list(dir())) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cq4")))
                    .containsExactlyInAnyOrder("20261123F.cq4", "20261124F.cq4");
        }
    }

    /**
     * In a container the JVM is PID 1 before a crash and PID 1 after the restart, so Chronicle finds
     * a write lock held by a live process, its own, and would wait 15 s for it and then fail the append.
     */
    @Test
    void aWriteLockLeftUnderThisProcesssOwnPidIsReleasedWhenTheJournalOpens() throws IOException {
        try (Journal journal = Journal.open(dir())) {
            journal.append("POST", "/before", List.of(), null);
        }
        try (TableStore<Metadata.NoMeta> store = metadata(); TableStoreWriteLock lock = writeLock(store)) {
            lock.lock(); // and never unlocked, as by a process killed mid-append
            assertThat(lock.lockedBy()).isEqualTo(ProcessHandle.current().pid());
        }

        try (Journal journal = Journal.open(dir())) {
            try (TableStore<Metadata.NoMeta> store = metadata(); TableStoreWriteLock lock = writeLock(store)) {
                assertThat(lock.locked()).as("write lock held after open").isFalse();
            }
            journal.append("POST", "/after", List.of(), null);

            assertThat(readAll(journal, Journal.NO_POSITION)).extracting(JournalEntry::target)
                    .containsExactly("/before", "/after");
        }
    }

    private TableStore<Metadata.NoMeta> metadata() {
        return SingleTableBuilder.binary(dir().resolve(StaleWriteLocks.METADATA_FILE), Metadata.NoMeta.INSTANCE)
                .readOnly(false).build();
    }

    private static TableStoreWriteLock writeLock(TableStore<?> store) {
        return new TableStoreWriteLock(store, Pauser::timedBusy, 0L);
    }

    /** Runs {@link CrashingWriter} in a fresh JVM and checks that it died where it should. */
    private void runCrashingWriter(long clockMillis, int entries) throws Exception {
        runCrashingWriter(List.of(dir().toString(), Long.toString(clockMillis), Integer.toString(entries)));
    }

    /** Runs {@link CrashingWriter} with these arguments in a fresh JVM and checks that it died where it should. */
    private void runCrashingWriter(List<String> args) throws Exception {
        Process process = startWriter(args);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the crashing writer did not finish within 60 s");
        }
        assertThat(process.exitValue())
                .as("crashing writer exit status; its output:%n%s", Files.readString(writerLog(), StandardCharsets.UTF_8))
                .isEqualTo(CrashingWriter.CRASHED);
    }

    private Process startWriter(List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("-Dchronicle.")) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName()));
        command.addAll(args);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(writerLog().toFile()).start();
    }

    private Path writerLog() {
        return data.resolve("crashing-writer.log");
    }

    static List<String> drain(JournalReader reader) {
        List<String> targets = new ArrayList<>();
        for (JournalEntry e = reader.next(); e != null; e = reader.next()) {
            targets.add(e.target());
        }
        return targets;
    }
}
