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

/** What a writer that died mid-append leaves behind, and how the next process carries on from it. */
class JournalCrashTest {

    @TempDir
    Path data;

    private Path dir() {
        return data.resolve("journal");
    }

    @Test
    void anEntryCutByACrashIsNeverReadAndTheNextAppendTakesItsPlace() throws Exception {
        runCrashingWriter(0, 3);

        try (Journal journal = Journal.open(dir())) {
            List<JournalEntry> survivors = readAll(journal, Journal.NO_POSITION);
            assertThat(survivors).extracting(JournalEntry::target).containsExactly("/n/0", "/n/1", "/n/2");
            assertThat(journal.lastPosition()).isEqualTo(survivors.get(2).position());

            long next = journal.append("POST", "/after-restart", List.of(), null);

            assertThat(next).isEqualTo(survivors.get(2).position() + 1);
            assertThat(readAll(journal, Journal.NO_POSITION)).extracting(JournalEntry::target)
                    .containsExactly("/n/0", "/n/1", "/n/2", "/after-restart");
        }
        try (Journal journal = Journal.open(dir())) {
            assertThat(readAll(journal, Journal.NO_POSITION)).extracting(JournalEntry::target)
                    .containsExactly("/n/0", "/n/1", "/n/2", "/after-restart");
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
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") || arg.startsWith("-Dchronicle.")) {
                command.add(arg);
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(),
                dir().toString(), Long.toString(clockMillis), Integer.toString(entries)));
        Path output = data.resolve("crashing-writer.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the crashing writer did not finish within 60 s");
        }
        assertThat(process.exitValue())
                .as("crashing writer exit status; its output:%n%s", Files.readString(output, StandardCharsets.UTF_8))
                .isEqualTo(CrashingWriter.CRASHED);
    }
}
