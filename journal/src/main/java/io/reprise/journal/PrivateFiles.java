package io.reprise.journal;

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
import java.util.Set;

/**
 * Directories and files only their owner can open: {@code rwx------} and {@code rw-------}, whatever the process's
 * umask. The journal holds every journaled request's headers and body (bearer tokens, cookies, the passwords of
 * login forms), so everything Reprise creates in a data directory is created this way.
 *
 * <p>Creating with a permission attribute only narrows the umask's default, and the mode is then set explicitly as
 * well, so the result is exact. Only what this class creates is changed: a directory that already exists keeps its
 * permissions (a data directory may be a volume's root, whose group the kubelet sets through {@code fsGroup}). On a
 * file system without POSIX permissions the modes are skipped, which is logged at DEBUG.
 *
 * <p>{@code io.reprise.snapshot.store.PrivateFiles} is the snapshot module's copy of the two methods it needs: that
 * module depends on nothing.
 */
public final class PrivateFiles {

    /** {@code rwx------}. */
    public static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    /** {@code rw-------}. */
    public static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private static final System.Logger LOG = System.getLogger("io.reprise.journal");

    private PrivateFiles() {
        throw new AssertionError("PrivateFiles cannot be instantiated");
    }

    /**
     * Creates {@code dir} and every missing parent, each {@code rwx------}; those that exist are left as they are.
     *
     * @return {@code dir}
     * @throws IOException if a directory cannot be created, or {@code dir} exists and is not a directory
     */
    public static Path createDirectories(Path dir) throws IOException {
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && Files.notExists(p); p = p.getParent()) {
            missing.push(p);
        }
        for (Path p : missing) {
            createDirectory(p, true);
        }
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir); // throws FileAlreadyExistsException naming what is in the way
        }
        return dir;
    }

    /**
     * Creates the directory {@code dir}, {@code rwx------}; its parent must exist.
     *
     * @throws FileAlreadyExistsException if something exists at {@code dir}
     */
    public static Path createDirectory(Path dir) throws IOException {
        return createDirectory(dir, false);
    }

    private static Path createDirectory(Path dir, boolean existingIsFine) throws IOException {
        boolean posix = isPosix(dir.toAbsolutePath().getParent());
        try {
            if (posix) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
            } else {
                Files.createDirectory(dir);
            }
        } catch (FileAlreadyExistsException e) {
            if (existingIsFine && Files.isDirectory(dir)) {
                return dir; // created meanwhile by someone else: not ours to change
            }
            throw e;
        }
        restrict(dir, DIRECTORY);
        return dir;
    }

    /**
     * The attributes that create a file {@code rw-------} in {@code dir} (none where the file system has no POSIX
     * permissions); follow the creation with {@link #restrict(Path, Set)} to make the mode exact.
     */
    public static FileAttribute<?>[] fileAttributes(Path dir) {
        return isPosix(dir) ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE)} : new FileAttribute<?>[0];
    }

    /**
     * Sets {@code path}'s permissions to exactly {@code permissions} ({@link #DIRECTORY} or {@link #FILE}). Where the
     * file system has no POSIX permissions, or refuses the change (a FAT volume), the mode is left as it is and that
     * is logged at DEBUG: the agent's start-up check ({@link DataDirPermissions}) warns about what stays open.
     *
     * @return whether the permissions are now exactly {@code permissions}
     */
    public static boolean restrict(Path path, Set<PosixFilePermission> permissions) {
        if (!isPosix(path)) {
            LOG.log(Level.DEBUG, () -> "No POSIX permissions on the file system of " + path + "; its mode is left as is");
            return false;
        }
        try {
            Files.setPosixFilePermissions(path, permissions);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            LOG.log(Level.DEBUG, () -> "Cannot set the permissions of " + path + " to "
                    + PosixFilePermissions.toString(permissions) + " (" + e + "); its mode is left as is");
            return false;
        }
    }

    /** Whether the file system holding {@code path} has POSIX permissions. */
    public static boolean isPosix(Path path) {
        return path != null && path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
