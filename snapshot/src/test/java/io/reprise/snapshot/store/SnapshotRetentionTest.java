package io.reprise.snapshot.store;

import static io.reprise.snapshot.store.TestSnapshots.names;
import static io.reprise.snapshot.store.TestSnapshots.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What stays in the snapshot directory: the newest snapshots, never a crash's leftovers. */
class SnapshotRetentionTest {

    @TempDir
    Path dir;

    @Test
    void aCrashBeforeCommitLeavesOnlyATemporaryFileThatListIgnoresAndRetainDeletes() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        SnapshotFile committed = write(store, 1, new byte[] {1});
        PendingSnapshot crashed = store.begin();
        crashed.stream().write(new byte[10_000]);
        crashed.stream().flush();
        // The process dies here: no commit, no close.

        SnapshotStore restarted = new SnapshotStore(dir);
        assertThat(restarted.list()).containsExactly(committed);
        assertThat(restarted.retain(2)).containsExactly(crashed.temporaryFile());
        assertThat(names(dir)).containsExactly("snapshot-0000000000000001.snap");
        crashed.close();
    }

    @Test
    void retainLeavesTheTemporaryFileOfASnapshotInProgressAlone() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        try (PendingSnapshot inProgress = store.begin()) {
            inProgress.stream().write(1);

            assertThat(store.retain(1)).isEmpty();
            assertThat(inProgress.temporaryFile()).exists();
            inProgress.commit(9).verify();
        }
    }

    @Test
    void retainKeepsExactlyTheNewest() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        for (long position = 1; position <= 5; position++) {
            write(store, position, new byte[] {(byte) position});
        }

        List<Path> deleted = store.retain(2);

        assertThat(deleted).extracting(p -> p.getFileName().toString()).containsExactly(
                "snapshot-0000000000000003.snap", "snapshot-0000000000000002.snap", "snapshot-0000000000000001.snap");
        assertThat(store.list()).extracting(SnapshotFile::position).containsExactly(5L, 4L);
        assertThat(store.retain(2)).isEmpty();
        assertThat(store.retain(10)).isEmpty();
        assertThat(store.retain(1)).extracting(p -> p.getFileName().toString())
                .containsExactly("snapshot-0000000000000004.snap");
    }

    @Test
    void retainKeepsAtLeastOne() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);

        assertThatThrownBy(() -> store.retain(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("keep must be at least 1");
    }

    @Test
    void retainDeletesNoForeignFiles() throws IOException {
        SnapshotStore store = new SnapshotStore(dir);
        write(store, 1, new byte[] {1});
        write(store, 2, new byte[] {2});
        Files.writeString(dir.resolve("README"), "operator notes");

        store.retain(1);

        assertThat(names(dir)).containsExactlyInAnyOrder("README", "snapshot-0000000000000002.snap");
    }
}
