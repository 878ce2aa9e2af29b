package io.reprise.agent.recovery;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.agent.config.SyncMode;
import io.reprise.agent.lifecycle.Lifecycles;
import io.reprise.agent.snapshot.ProviderHandle;
import io.reprise.agent.snapshot.SnapshotSection;
import io.reprise.agent.snapshot.Snapshots;
import io.reprise.agent.writepath.Durability;
import io.reprise.agent.writepath.WritePath;
import io.reprise.journal.Journal;
import io.reprise.journal.Outcome;
import io.reprise.snapshot.SnapshotProvider;
import io.reprise.snapshot.store.PendingSnapshot;
import io.reprise.snapshot.store.SnapshotFile;
import io.reprise.snapshot.store.SnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's own state in a snapshot's sections: written with the provider's, restored before it, consistently. */
class SnapshotSectionRecoveryTest {

    @TempDir
    Path dir;

    /** Every restore, reset and replay, in the order they happened. */
    final List<String> calls = new ArrayList<>();

    /** A contributor whose state is a line of text. */
    class Sessions implements SnapshotSection {
        String state = "";
        IOException failWrite;

        @Override
        public String name() {
            return "sessions";
        }

        @Override
        public int version() {
            return 3;
        }

        @Override
        public void write(OutputStream out) throws IOException {
            if (failWrite != null) {
                throw failWrite;
            }
            out.write(state.getBytes(US_ASCII));
        }

        @Override
        public void restore(int version, InputStream in) throws IOException {
            String text = new String(in.readAllBytes(), US_ASCII);
            calls.add("sessions.restore v" + version + " " + text);
            if (version != 3) {
                throw new IOException("sessions section version " + version + " is unknown");
            }
            state = text;
        }

        @Override
        public void reset() {
            calls.add("sessions.reset");
            state = "";
        }
    }

    /** The application's state: one line of text; a payload reading "bad" makes restore throw. */
    class Provider implements SnapshotProvider {
        String state = "";

        @Override
        public void save(OutputStream out) throws IOException {
            out.write(state.getBytes(US_ASCII));
        }

        @Override
        public void restore(InputStream in) throws IOException {
            String text = new String(in.readAllBytes(), US_ASCII);
            calls.add("provider.restore " + text);
            if (text.equals("bad")) {
                throw new IOException("cannot read " + text);
            }
            state = text;
        }

        @Override
        public void reset() {
            calls.add("provider.reset");
            state = "";
        }
    }

    RecoveryReport recover(Journal journal, SnapshotStore store, Provider provider, SnapshotSection... sections) {
        return new Recovery(journal, store, ProviderHandle.of(provider), new Lifecycles(), false, null, false, false,
                List.of(sections)).run(entry -> {
                    calls.add("replay " + entry.target());
                    return Outcome.answered(200, 0);
                });
    }

    @Test
    void aContributorsSectionIsWrittenWithTheSnapshotAndRestoredBeforeTheProviderAndReplay() throws Exception {
        Sessions sessions = new Sessions();
        Provider provider = new Provider();
        try (Journal journal = Journal.open(dir.resolve("journal"))) {
            SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
            WritePath writePath = new WritePath(Set.of("POST"), List.of(), 1_000_000, 1 << 20);
            writePath.open(journal, Durability.of(SyncMode.NONE, journal::force, Duration.ofSeconds(1), r -> { }),
                    1 << 20, 0, () -> { });
            Snapshots snapshots = new Snapshots(store, ProviderHandle.of(provider), writePath, Duration.ofHours(1), 2,
                    Journal.NO_POSITION, new Lifecycles(), position -> List.of(), List.of(sessions));
            writePath.apply("POST", "/a", List.of(), new byte[0], () -> {
                provider.state = "after /a";
                sessions.state = "alice";
                return Outcome.answered(200, 0);
            });
            SnapshotFile taken = snapshots.take();
            writePath.apply("POST", "/b", List.of(), new byte[0], () -> Outcome.answered(200, 0));

            assertThat(taken.readPart().section("sessions")).hasValueSatisfying(section -> {
                assertThat(section.version()).isEqualTo(3);
                assertThat(new String(section.bytes(), US_ASCII)).isEqualTo("alice");
            });

            Sessions restoredSessions = new Sessions();
            RecoveryReport report = recover(journal, store, new Provider(), restoredSessions);

            assertThat(calls).containsExactly("sessions.restore v3 alice", "provider.restore after /a", "replay /b");
            assertThat(restoredSessions.state).isEqualTo("alice");
            assertThat(report.snapshotPosition()).isEqualTo(taken.position());
        }
    }

    @Test
    void aContributorWhoseWriteFailsMeansNoSnapshot() throws Exception {
        Sessions sessions = new Sessions();
        sessions.failWrite = new IOException("session table unavailable");
        try (Journal journal = Journal.open(dir.resolve("journal"))) {
            SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
            WritePath writePath = new WritePath(Set.of("POST"), List.of(), 1_000_000, 1 << 20);
            writePath.open(journal, Durability.of(SyncMode.NONE, journal::force, Duration.ofSeconds(1), r -> { }),
                    1 << 20, 0, () -> { });
            Snapshots snapshots = new Snapshots(store, ProviderHandle.of(new Provider()), writePath, Duration.ofHours(1),
                    2, Journal.NO_POSITION, new Lifecycles(), position -> List.of(), List.of(sessions));
            writePath.apply("POST", "/a", List.of(), new byte[0], () -> Outcome.answered(200, 0));

            assertThatThrownBy(snapshots::take).hasMessage("session table unavailable");
            assertThat(store.list()).isEmpty();
            try (var left = Files.list(store.directory())) {
                assertThat(left).as("no temporary file either").isEmpty();
            }
        }
    }

    @Test
    void sectionsNoContributorNamesAreIgnored() throws Exception {
        try (Journal journal = Journal.open(dir.resolve("journal"))) {
            SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
            long p = journal.append("POST", "/a", List.of(), null);
            snapshot(store, p, "state", new String[] {"from-a-newer-release", "??"}, new String[] {"sessions", "bob"});
            journal.append("POST", "/b", List.of(), null);

            recover(journal, store, new Provider(), new Sessions());

            assertThat(calls).containsExactly("sessions.restore v3 bob", "provider.restore state", "replay /b");
        }
    }

    @Test
    void aCorruptSectionFallsBackToTheOlderSnapshotAsACorruptPayloadDoes() throws Exception {
        try (Journal journal = Journal.open(dir.resolve("journal"))) {
            SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
            long older = journal.append("POST", "/a", List.of(), null);
            snapshot(store, older, "up to /a", new String[] {"sessions", "alice"});
            long newer = journal.append("POST", "/b", List.of(), null);
            SnapshotFile damaged = snapshot(store, newer, "up to /b", new String[] {"sessions", "alice,bob"});
            journal.append("POST", "/c", List.of(), null);
            flip(damaged.path(), 60 + 1 + 8 + 1 + 8 + 4 + 4 + 2); // the third byte of the section's data

            RecoveryReport report = recover(journal, store, new Provider(), new Sessions());

            assertThat(calls).containsExactly("sessions.restore v3 alice", "provider.restore up to /a", "replay /b",
                    "replay /c");
            assertThat(report.snapshotPosition()).isEqualTo(older);
        }
    }

    @Test
    void aSnapshotWithoutTheSectionResetsWhatANewerOneRestored() throws Exception {
        try (Journal journal = Journal.open(dir.resolve("journal"))) {
            SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
            long older = journal.append("POST", "/a", List.of(), null);
            snapshot(store, older, "up to /a"); // written before the contributor existed: no section
            long newer = journal.append("POST", "/b", List.of(), null);
            snapshot(store, newer, "bad", new String[] {"sessions", "alice,bob"});
            Sessions sessions = new Sessions();

            recover(journal, store, new Provider(), sessions);

            assertThat(calls).containsExactly("sessions.restore v3 alice,bob", "provider.restore bad", "sessions.reset",
                    "provider.restore up to /a", "replay /b");
            assertThat(sessions.state).as("nothing of the newer snapshot is left").isEmpty();
        }
    }

    @Test
    void aSectionItsContributorCannotReadMakesRecoveryTryAnOlderSnapshot() throws Exception {
        try (Journal journal = Journal.open(dir.resolve("journal"))) {
            SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
            long older = journal.append("POST", "/a", List.of(), null);
            snapshot(store, older, "up to /a", new String[] {"sessions", "alice"});
            long newer = journal.append("POST", "/b", List.of(), null);
            try (PendingSnapshot pending = store.begin()) {
                pending.writeSection("sessions", 9, out -> out.write("from a newer release".getBytes(US_ASCII)));
                pending.stream().write("up to /b".getBytes(US_ASCII));
                pending.commit(newer);
            }

            recover(journal, store, new Provider(), new Sessions());

            assertThat(calls).as("the provider's restore is not called on the snapshot whose section failed")
                    .containsExactly("sessions.restore v9 from a newer release", "sessions.restore v3 alice",
                            "provider.restore up to /a", "replay /b");
        }
    }

    @Test
    void whenNoSnapshotCanBeRestoredTheContributorsAreResetBeforeTheWholeJournalIsReplayed() throws Exception {
        try (Journal journal = Journal.open(dir.resolve("journal"))) {
            SnapshotStore store = new SnapshotStore(dir.resolve("snapshots"));
            long p = journal.append("POST", "/a", List.of(), null);
            snapshot(store, p, "bad", new String[] {"sessions", "alice"});
            Sessions sessions = new Sessions();

            RecoveryReport report = recover(journal, store, new Provider(), sessions);

            assertThat(calls).containsExactly("sessions.restore v3 alice", "provider.restore bad", "sessions.reset",
                    "provider.reset", "replay /a");
            assertThat(sessions.state).isEmpty();
            assertThat(report.snapshotPosition()).isEqualTo(Journal.NO_POSITION);
        }
    }

    /** Writes a snapshot with the given payload and sections, each given as {name, text}, version 3. */
    static SnapshotFile snapshot(SnapshotStore store, long position, String payload, String[]... sections)
            throws IOException {
        try (PendingSnapshot pending = store.begin()) {
            for (String[] section : sections) {
                pending.writeSection(section[0], 3, out -> out.write(section[1].getBytes(US_ASCII)));
            }
            pending.stream().write(payload.getBytes(US_ASCII));
            return pending.commit(position);
        }
    }

    static void flip(Path path, long offset) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            channel.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ 0x01));
            channel.write(b.rewind(), offset);
        }
    }
}
