package io.reprise.snapshot.store;

import static io.reprise.snapshot.store.TestSnapshots.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A snapshot is as secret as the requests it was built from: what the store creates is owner-only, whatever the umask. */
class SnapshotPermissionsTest {

    @TempDir
    Path tmp;

    /** Under the usual umask 022 a new directory is rwxr-xr-x; under a stricter one these tests could not fail. */
    @BeforeEach
    void theUmaskLetsOthersRead() throws IOException {
        assumeTrue(PrivateFiles.isPosix(tmp), "the temporary directory has no POSIX permissions");
        Path probe = Files.createDirectory(tmp.resolve("umask-probe"));
        String mode = mode(probe);
        Files.delete(probe);
        assumeTrue(mode.endsWith("r-x"), "this JVM's umask already keeps others out (a new directory is " + mode
                + "), so owner-only creation cannot be told from the default");
    }

    @Test
    void theSnapshotDirectoryItsMissingParentsAndEverySnapshotFileAreOwnerOnly() throws IOException {
        String tmpMode = mode(tmp);
        Path data = tmp.resolve("data");
        SnapshotStore store = new SnapshotStore(data.resolve("snapshots"));

        SnapshotFile file;
        try (PendingSnapshot pending = store.begin()) {
            assertThat(mode(pending.temporaryFile())).isEqualTo("rw-------");
            pending.stream().write("sessions={alice: token-123}".getBytes(StandardCharsets.UTF_8));
            file = pending.commit(42);
        }

        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(data.resolve("snapshots"))).isEqualTo("rwx------");
        assertThat(mode(file.path())).isEqualTo("rw-------");
        assertThat(mode(tmp)).as("a directory that existed is not the store's to change").isEqualTo(tmpMode);
    }

    @Test
    void snapshotsMovedAsideByATruncationGoToAnOwnerOnlyDirectory() throws IOException {
        SnapshotStore store = new SnapshotStore(tmp.resolve("snapshots"));
        write(store, 7, new byte[] {7});
        Path target = tmp.resolve("journal-cut-20261124T100000Z").resolve("snapshots");

        List<Path> moved = store.moveAtOrAfter(7, target);

        assertThat(moved).hasSize(1);
        assertThat(mode(target.getParent())).isEqualTo("rwx------");
        assertThat(mode(target)).isEqualTo("rwx------");
        assertThat(mode(moved.get(0))).isEqualTo("rw-------");
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
