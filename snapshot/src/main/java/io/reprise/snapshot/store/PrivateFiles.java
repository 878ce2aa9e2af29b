package io.reprise.snapshot.store;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * Directories and files only their owner can open ({@code rwx------}, {@code rw-------}) whatever the umask: a
 * snapshot holds the state built from the requests, as secret as the journal. The snapshot module's copy of what it
 * needs from {@code io.reprise.journal.PrivateFiles} (this module depends on nothing); see there for the reasons.
 * Only what is created here is changed; without POSIX permissions the modes are skipped, logged at DEBUG.
 */
final class PrivateFiles {

    static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private static final System.Logger LOG = System.getLogger("io.reprise.snapshot");

    private PrivateFiles() {
        throw new AssertionError("PrivateFiles cannot be instantiated");
    }

    /**
     * Creates {@code dir} and its missing parents, each {@code rwx------}; what exists is left as it is.
     *
     * @return the directories created, outermost first
     */
    static List<Path> createDirectories(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && Files.notExists(p); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            try {
                if (isPosix(p)) {
                    Files.createDirectory(p, PosixFilePermissions.asFileAttribute(DIRECTORY));
                } else {
                    Files.createDirectory(p);
                }
            } catch (FileAlreadyExistsException e) {
                if (Files.isDirectory(p)) {
                    continue; // created meanwhile by someone else: not ours to change
                }
                throw e;
            }
            restrict(p, DIRECTORY);
        }
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir); // throws FileAlreadyExistsException naming what is in the way
        }
        return List.copyOf(missing);
    }

    /** The attributes that create a file {@code rw-------} (none without POSIX permissions). */
    static FileAttribute<?>[] fileAttributes(Path dir) {
        return isPosix(dir) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
    }

    /** Sets exactly {@code permissions}; where the file system has none or refuses, leaves the mode (DEBUG). */
    static void restrict(Path path, Set<PosixFilePermission> permissions) {
        if (!isPosix(path)) {
            LOG.log(Level.DEBUG, () -> "No POSIX permissions on the file system of " + path + "; its mode is left as is");
            return;
        }
        try {
            Files.setPosixFilePermissions(path, permissions);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.DEBUG, () -> "Cannot set the permissions of " + path + " to "
                    + PosixFilePermissions.toString(permissions) + " (" + e + "); its mode is left as is");
        }
    }

    static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
