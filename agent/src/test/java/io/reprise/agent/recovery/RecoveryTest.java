package io.reprise.agent.recovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.agent.lifecycle.Lifecycles;
import io.reprise.agent.snapshot.ProviderHandle;
import io.reprise.journal.Journal;
import io.reprise.snapshot.SnapshotProvider;
import io.reprise.snapshot.store.PendingSnapshot;
import io.reprise.snapshot.store.SnapshotStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Recovery when every snapshot's restore throws: never replay the whole journal onto what those calls left. */
class RecoveryTest {

    @TempDir
    Path dir;
    Journal journal;
    SnapshotStore store;

    /** The application's state: a list of applied targets, which a failing restore half-fills. */
    final List<String> state = new ArrayList<>();

    @BeforeEach
    void journalAndTwoSnapshots() throws Exception {
        journal = Journal.open(dir.resolve("journal"));
        store = new SnapshotStore(dir.resolve("snapshots"));
        for (String target : List.of("/a", "/b", "/c", "/d")) {
            long p = journal.append("POST", target, List.of(), null);
            if (target.equals("/b") || target.equals("/c")) {
                try (PendingSnapshot pending = store.begin()) {
                    pending.stream().write(("up to " + target).getBytes());
                    pending.commit(p);
                }
            }
        }
    }

    @AfterEach
    void close() {
        journal.close();
    }

    /** A provider whose restore leaves garbage behind and throws; with or without a reset. */
    class Failing implements SnapshotProvider {
        int resets;

        @Override
        public void save(OutputStream out) {
        }

        @Override
        public void restore(InputStream in) throws IOException {
            state.add("half-restored " + new String(in.readAllBytes()));
            throw new IOException("unknown snapshot format");
        }
    }

    class FailingWithReset extends Failing {
        @Override
        public void reset() {
            resets++;
            state.clear();
        }
    }

    Recovery recovery(SnapshotProvider provider) {
        return new Recovery(journal, store, ProviderHandle.of(provider), new Lifecycles(), false, null);
    }

    Replayer applyToState() {
        return entry -> {
            state.add(entry.target());
            return io.reprise.journal.Outcome.answered(200, 0);
        };
    }

    @Test
    void withoutResetTheServiceDoesNotStartOnTheStateFailedRestoresLeft() {
        Failing provider = new Failing();
        assertThatThrownBy(() -> recovery(provider).run(applyToState()))
                .isInstanceOf(RecoveryException.class)
                .hasMessageContaining("restore failed on every snapshot")
                .hasMessageContaining("does not implement SnapshotProvider.reset()")
                .hasMessageContaining("port stays closed");
        assertThat(state).as("nothing was replayed onto the garbage")
                .containsExactly("half-restored up to /c", "half-restored up to /b");
    }

    @Test
    void withResetTheWholeJournalIsReplayedOntoAFreshState() {
        FailingWithReset provider = new FailingWithReset();
        RecoveryReport report = recovery(provider).run(applyToState());
        assertThat(provider.resets).isEqualTo(1);
        assertThat(state).containsExactly("/a", "/b", "/c", "/d");
        assertThat(report.replayed()).isEqualTo(4);
        assertThat(report.snapshotPosition()).isEqualTo(Journal.NO_POSITION);
    }

    @Test
    void aRestoreThatWorksOnAnOlderSnapshotNeedsNoReset() {
        FailingWithReset provider = new FailingWithReset() {
            @Override
            public void restore(InputStream in) throws IOException {
                String text = new String(in.readAllBytes());
                if (text.endsWith("/c")) {
                    state.add("half-restored " + text);
                    throw new IOException("unknown snapshot format");
                }
                state.clear(); // restore replaces the state wholesale, as the SPI asks
                state.addAll(List.of("/a", "/b"));
            }
        };
        RecoveryReport report = recovery(provider).run(applyToState());
        assertThat(provider.resets).isZero();
        assertThat(state).containsExactly("/a", "/b", "/c", "/d");
        assertThat(report.replayed()).isEqualTo(2);
    }
}
