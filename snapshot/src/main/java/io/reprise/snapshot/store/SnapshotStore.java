package io.reprise.snapshot.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The snapshot directory: writes snapshots atomically, lists them newest first, and applies retention.
 * Internal to Reprise; the file names and format are described in the {@linkplain io.reprise.snapshot.store
 * package documentation}.
 *
 * <p>The store never decides which snapshot to restore. Recovery walks {@link #list()} newest first and takes
 * the first file whose {@link SnapshotFile#verify()} succeeds, skipping corrupt ones.
 *
 * <p>One store writes to a directory at a time; the agent's lock on the data directory sees to that. Every
 * temporary file that is not pending in this store is a leftover of an earlier process, which
 * {@link #retain(int)} deletes. Methods may be called from any thread.
 */
public final class SnapshotStore {

    /** The format version this release writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 2;

    /**
     * Whether this platform can fsync a directory. Linux and macOS can, and the rename of a snapshot is only
     * durable once the directory is synced. Windows cannot even open a directory as a file; there the rename
     * is as durable as the file system makes it, and there is nothing more Java can do.
     */
    private static final boolean DIRECTORY_SYNC_SUPPORTED =
            !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    private static final int TEMPORARY_NAME_ATTEMPTS = 8;
    private static final Set<StandardOpenOption> CREATE_NEW_FOR_WRITING =
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

    private final Path directory;
    /** Names of this store's temporary files that are still being written. */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();

    /**
     * Opens the snapshot directory, usually {@code <reprise.dir>/snapshots}, creating it (and its parents,
     * each made durable in its own parent) if missing. What it creates is {@code rwx------} whatever the umask;
     * a directory that exists keeps its permissions.
     *
     * @param directory the snapshot directory
     * @throws IOException if it cannot be created, or exists and is not a directory
     */
    public SnapshotStore(Path directory) throws IOException {
        this.directory = directory;
        for (Path created : PrivateFiles.createDirectories(directory)) {
            fsyncDirectory(created.getParent());
        }
    }

    /**
     * Starts a snapshot in a new temporary file {@code .snapshot-<random>.tmp}, {@code rw-------} like the snapshot
     * file it becomes. The provider writes into
     * {@link PendingSnapshot#stream()}; the bytes are buffered and checksummed on the way to the file.
     *
     * @return the pending snapshot; commit or close it
     * @throws IOException if the temporary file cannot be created
     */
    public PendingSnapshot begin() throws IOException {
        long createdMillis = System.currentTimeMillis();
        for (int attempt = 1; ; attempt++) {
            String name = SnapshotFormat.TEMP_PREFIX + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
                    + SnapshotFormat.TEMP_SUFFIX;
            Path temporaryFile = directory.resolve(name);
            pending.add(name); // before the file exists, so a concurrent retain never takes it for a leftover
            FileChannel channel;
            try {
                channel = FileChannel.open(temporaryFile, CREATE_NEW_FOR_WRITING, PrivateFiles.fileAttributes(directory));
            } catch (FileAlreadyExistsException e) {
                pending.remove(name);
                if (attempt == TEMPORARY_NAME_ATTEMPTS) {
                    throw e;
                }
                continue;
            } catch (IOException | RuntimeException e) {
                pending.remove(name);
                throw e;
            }
            PrivateFiles.restrict(temporaryFile, PrivateFiles.FILE); // exact, whatever the umask; the rename keeps it
            // Returned without the header, which goes in last, once its checksums are known. PendingSnapshot
            // owns the channel and the file from here on, and deletes them if anything fails.
            PendingSnapshot snapshot = new PendingSnapshot(this, temporaryFile, channel, createdMillis);
            try {
                channel.position(SnapshotFormat.HEADER_SIZE);
            } catch (IOException | RuntimeException e) {
                snapshot.close();
                throw e;
            }
            return snapshot;
        }
    }

    /**
     * Lists the snapshot files, newest (greatest position) first, from their names alone: payloads are not
     * read, and corrupt files are listed too. Temporary and foreign files are ignored.
     *
     * @return the snapshot files, newest first; unmodifiable
     * @throws IOException if the directory cannot be read
     */
    public List<SnapshotFile> list() throws IOException {
        List<SnapshotFile> snapshots = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                long position = SnapshotFormat.positionOf(entry.getFileName().toString());
                if (position >= 0 && Files.isRegularFile(entry)) {
                    snapshots.add(new SnapshotFile(entry, position));
                }
            }
        }
        snapshots.sort(Comparator.comparingLong(SnapshotFile::position).reversed());
        return List.copyOf(snapshots);
    }

    /**
     * Moves every snapshot covering {@code position} or a later one into {@code target} (created, {@code rwx------},
     * if needed). Used after the journal was cut at {@code position}: such a snapshot holds the effect of entries that are
     * gone, and the journal after it cannot be read; it goes with the cut journal files, from where it can be
     * put back.
     *
     * @return the moved files at their new place
     */
    public List<Path> moveAtOrAfter(long position, Path target) throws IOException {
        List<Path> moved = new ArrayList<>();
        for (SnapshotFile snapshot : list()) {
            if (snapshot.position() >= position) {
                PrivateFiles.createDirectories(target);
                Path destination = target.resolve(snapshot.path().getFileName());
                Files.move(snapshot.path(), destination, StandardCopyOption.ATOMIC_MOVE);
                moved.add(destination);
            }
        }
        return moved;
    }

    /**
     * Keeps the {@code keep} newest snapshots, valid or not, and deletes the older ones, together with the
     * temporary files that no pending snapshot of this store is writing (leftovers of a crash).
     *
     * <p>Deletions are not fsynced: a deletion lost in a machine crash only brings back an old snapshot, which
     * the next retention deletes again.
     *
     * @param keep how many snapshots to keep, at least 1
     * @return the deleted files
     * @throws IllegalArgumentException if {@code keep} is less than 1
     * @throws IOException if the directory cannot be read or a file cannot be deleted
     */
    public List<Path> retain(int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be at least 1, was " + keep);
        }
        List<Path> deleted = new ArrayList<>();
        List<SnapshotFile> snapshots = list();
        for (SnapshotFile old : snapshots.subList(Math.min(keep, snapshots.size()), snapshots.size())) {
            if (Files.deleteIfExists(old.path())) {
                deleted.add(old.path());
            }
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (SnapshotFormat.isTemporary(name) && !pending.contains(name) && Files.deleteIfExists(entry)) {
                    deleted.add(entry);
                }
            }
        }
        return List.copyOf(deleted);
    }

    /**
     * @return the snapshot directory, as given to the constructor
     */
    public Path directory() {
        return directory;
    }

    @Override
    public String toString() {
        return "SnapshotStore[" + directory + "]";
    }

    /** Called when a pending snapshot is committed or aborted: its temporary file is no longer in use. */
    void forget(Path temporaryFile) {
        pending.remove(temporaryFile.getFileName().toString());
    }

    /** Makes the directory's entries (a rename, a new file) durable. */
    static void fsyncDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            if (DIRECTORY_SYNC_SUPPORTED) {
                throw e;
            }
            // Windows: opening a directory fails (AccessDeniedException); see DIRECTORY_SYNC_SUPPORTED.
        }
    }
}
