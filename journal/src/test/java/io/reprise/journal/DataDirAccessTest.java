package io.reprise.journal;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Who can read a data directory: what Reprise creates is owner-only whatever the umask, what it finds open it closes
 * with one warning, and one writer lock serves the agent and the tools.
 */
class DataDirAccessTest {

    @TempDir
    Path tmp;

    /**
     * Without the explicit modes, this JVM's umask decides: under the usual 022 a new directory is rwxr-xr-x and a new
     * file rw-r--r--, and these tests would fail. Under a stricter umask they could not fail, so they do not run.
     */
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
    void aNewJournalDirectoryAndTheMissingDataDirectoryAreOwnerOnly() throws IOException {
        String tmpMode = mode(tmp);
        Path data = tmp.resolve("data");

        try (Journal journal = Journal.open(data.resolve("journal"))) {
            journal.append("POST", "/login", List.of(), "password=hunter2".getBytes(StandardCharsets.UTF_8));
        }

        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(data.resolve("journal"))).isEqualTo("rwx------");
        assertThat(mode(tmp)).as("a directory that existed is not Reprise's to change").isEqualTo(tmpMode);
    }

    @Test
    void theLockFileIsOwnerOnlyAndAnExistingDataDirectoryKeepsItsMode() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("volume-root"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxr-x"));

        try (DataDirLock lock = DataDirLock.acquire(data)) {
            assertThat(lock.file()).isEqualTo(data.resolve(DataDirLock.FILE_NAME));
            assertThat(mode(lock.file())).isEqualTo("rw-------");
        }
        assertThat(mode(data)).as("possibly a volume root whose group the kubelet set").isEqualTo("rwxrwxr-x");
    }

    @Test
    void aLockedDataDirectoryNamesThePidOfTheHolder() throws IOException {
        Path data = tmp.resolve("data");
        try (DataDirLock held = DataDirLock.acquire(data)) {
            assertThatThrownBy(() -> DataDirLock.acquire(data))
                    .isInstanceOfSatisfying(DataDirLockedException.class, e -> {
                        assertThat(e.holderPid()).isEqualTo(Long.toString(ProcessHandle.current().pid()));
                        assertThat(e.directory()).isEqualTo(data);
                        assertThat(e.lockFile()).isEqualTo(held.file());
                        assertThat(e.getMessage()).contains("in use by another process (pid " + e.holderPid());
                    });
        }
    }

    @Test
    void closingTheLockLeavesThePidOfTheProcessThatTookItLast() throws IOException {
        Path data = tmp.resolve("data");
        Path file;
        try (DataDirLock lock = DataDirLock.acquire(data)) {
            file = lock.file();
        }
        assertThat(Files.readString(file, StandardCharsets.US_ASCII).trim())
                .isEqualTo(Long.toString(ProcessHandle.current().pid()));
        try (DataDirLock again = DataDirLock.acquire(data)) {
            assertThat(again.file()).isEqualTo(file);
        }
    }

    @Test
    void theCopiesATruncationKeepsAreOwnerOnly() throws IOException {
        Path dir = tmp.resolve("data").resolve("journal");
        long second;
        try (Journal journal = Journal.open(dir)) {
            journal.append("POST", "/a", List.of(), new byte[] {1});
            second = journal.append("POST", "/b", List.of(), new byte[] {2});
            journal.append("POST", "/c", List.of(), new byte[] {3});
        }

        JournalTruncation cut = JournalRepair.truncateAt(dir, second);

        assertThat(mode(cut.copyDirectory())).isEqualTo("rwx------");
        try (var entries = Files.list(cut.copyDirectory().getParent())) {
            assertThat(entries.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".journal-repair-"));
        }
    }

    @Test
    void openPartsOfADataDirectoryAreClosedWithOneWarningNamingEach() throws IOException {
        Path data = Files.createDirectory(tmp.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path journal = directory(data.resolve("journal"), "rwxr-xr-x");
        Path snapshots = directory(data.resolve("snapshots"), "rwx------");
        Path copies = directory(data.resolve(JournalRepair.CUT_DIRECTORY_PREFIX + "20261124T100000Z"), "rwxr-x---");
        Path lock = Files.writeString(data.resolve(DataDirLock.FILE_NAME), "4242\n");
        Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-r--r--"));

        Optional<String> warning = DataDirPermissions.closeOpenParts(data);

        assertThat(warning).hasValueSatisfying(line -> assertThat(line)
                .contains(journal + " was rwxr-xr-x, now rwx------")
                .contains(copies + " was rwxr-x---, now rwx------")
                .contains(lock + " was rw-r--r--, now rw-------")
                .doesNotContain(snapshots.toString())
                .contains("fsGroupChangePolicy: OnRootMismatch")
                .doesNotContain("\n"));
        assertThat(mode(journal)).isEqualTo("rwx------");
        assertThat(mode(copies)).isEqualTo("rwx------");
        assertThat(mode(lock)).isEqualTo("rw-------");
        assertThat(mode(data)).as("the data directory itself is never changed").isEqualTo("rwxr-xr-x");
        assertThat(DataDirPermissions.closeOpenParts(data)).as("once closed, no warning").isEmpty();
    }

    @Test
    void anOwnerOnlyDataDirectoryGivesNoWarning() throws IOException {
        Path data = tmp.resolve("data");
        try (DataDirLock lock = DataDirLock.acquire(data); Journal journal = Journal.open(data.resolve("journal"))) {
            journal.append("POST", "/a", List.of(), new byte[] {1});
            assertThat(DataDirPermissions.closeOpenParts(data)).isEmpty();
        }
    }

    private static Path directory(Path dir, String mode) throws IOException {
        Files.createDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(mode));
        return dir;
    }

    static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
