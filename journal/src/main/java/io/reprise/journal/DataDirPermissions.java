package io.reprise.journal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The start-up check of who can read a data directory. The journal holds every journaled request's headers and body
 * (bearer tokens, cookies, the passwords of login forms) and the snapshots hold the state built from them, so
 * {@code journal/}, {@code snapshots/}, the copies a truncation keeps ({@code journal-cut-<time>/}) and the lock file
 * must be open to their owner only.
 *
 * <p>What Reprise creates is owner-only from the start ({@link PrivateFiles}). This check finds the parts that are
 * open to group or others anyway (a data directory written by an older release, a {@code chmod}, a Kubernetes
 * {@code fsGroup} applied at mount), closes each ({@code rwx------}, {@code rw-------} for the lock) and says so in one
 * warning. It does not refuse to start, as PostgreSQL does on such a data directory: a service that ran yesterday
 * would not come back after an upgrade, and under the kubelet's default {@code fsGroupChangePolicy} every mount opens
 * every file to the pod's group again, so a refusing agent could never start there. The data directory itself is
 * never changed: it may be a volume's root, whose group and mode belong to the kubelet. Closing the directories
 * covers the files in them, whatever their own modes, so the check costs a handful of {@code stat} calls and one
 * listing of the data directory, never a walk of the journal.
 */
public final class DataDirPermissions {

    /** The journal's directory in a data directory. */
    public static final String JOURNAL = "journal";
    /** The snapshots' directory in a data directory. */
    public static final String SNAPSHOTS = "snapshots";

    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Set<PosixFilePermission> GROUP = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE);

    private static final System.Logger LOG = System.getLogger("io.reprise.journal");

    private DataDirPermissions() {
        throw new AssertionError("DataDirPermissions cannot be instantiated");
    }

    /**
     * Closes the parts of {@code dataDir} that group or others can open, and describes what it found.
     *
     * @return one line to log at WARNING naming each open part, its permissions, and what was done or is left to do;
     *         empty when everything is owner-only, missing, or on a file system without POSIX permissions
     */
    public static Optional<String> closeOpenParts(Path dataDir) {
        if (!PrivateFiles.isPosix(dataDir)) {
            LOG.log(System.Logger.Level.DEBUG, () -> "No POSIX permissions on the file system of " + dataDir
                    + "; who can read the journal is not checked");
            return Optional.empty();
        }
        List<Path> directories = new ArrayList<>(List.of(dataDir.resolve(JOURNAL), dataDir.resolve(SNAPSHOTS)));
        directories.addAll(cutCopies(dataDir));
        List<String> closed = new ArrayList<>();
        List<String> stillOpen = new ArrayList<>();
        boolean group = false;
        for (Path dir : directories) {
            group |= check(dir, PrivateFiles.DIRECTORY, closed, stillOpen);
        }
        group |= check(dataDir.resolve(DataDirLock.FILE_NAME), PrivateFiles.FILE, closed, stillOpen);
        if (closed.isEmpty() && stillOpen.isEmpty()) {
            return Optional.empty();
        }
        StringBuilder line = new StringBuilder("reprise: the data directory ").append(dataDir)
                .append(" was open to group or others, and it holds every journaled request's headers and body"
                        + " (tokens, cookies, passwords): ");
        List<String> parts = new ArrayList<>(closed);
        parts.addAll(stillOpen);
        line.append(String.join("; ", parts)).append(". Whoever could read them may have copied them.");
        if (!stillOpen.isEmpty()) {
            line.append(" This process cannot change what is still open: as its owner, run chmod 700 on each"
                    + " directory and chmod 600 on the lock file.");
        }
        if (group) {
            line.append(" On Kubernetes, a volume with fsGroup is opened to the pod's group again at every mount"
                    + " unless the pod sets fsGroupChangePolicy: OnRootMismatch (see docs/kubernetes.md).");
        }
        return Optional.of(line.toString());
    }

    /**
     * Closes {@code path} if it exists and is open to group or others, noting it in {@code closed} or
     * {@code stillOpen}. Returns whether its group could open it.
     */
    private static boolean check(Path path, Set<PosixFilePermission> ownerOnly, List<String> closed,
                                 List<String> stillOpen) {
        Set<PosixFilePermission> before;
        try {
            before = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "Cannot read the permissions of " + path + ": " + e);
            return false;
        }
        Set<PosixFilePermission> open = EnumSet.copyOf(GROUP_OR_OTHERS);
        open.retainAll(before);
        if (open.isEmpty()) {
            return false;
        }
        String was = path + " was " + PosixFilePermissions.toString(before);
        if (PrivateFiles.restrict(path, ownerOnly)) {
            closed.add(was + ", now " + PosixFilePermissions.toString(ownerOnly));
        } else {
            stillOpen.add(was + " and is still open");
        }
        open.retainAll(GROUP);
        return !open.isEmpty();
    }

    /** The {@code journal-cut-<time>/} directories a truncation left in {@code dataDir}. */
    private static List<Path> cutCopies(Path dataDir) {
        List<Path> copies = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dataDir, JournalRepair.CUT_DIRECTORY_PREFIX + "*")) {
            for (Path entry : entries) {
                if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    copies.add(entry);
                }
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "Cannot list " + dataDir + ": " + e);
        }
        return copies;
    }
}
