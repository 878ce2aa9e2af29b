package io.reprise.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Set;

/**
 * The writer lock of a data directory, {@code <dir>/reprise.lock} (C7): an exclusive lock on the file, with the
 * pid of the process that took it written into it. The agent takes it before anything in the directory is read or
 * written and holds it until the process ends; {@code reprise-tools truncate} holds it while it repairs the journal,
 * so that no service starts on the directory halfway through.
 *
 * <p>The pid stays in the file when the lock is released: the file always names the process that took the lock
 * last. A process killed by SIGKILL, the usual end of a service, releases the lock without running any code, so a
 * pid removed on an orderly close would make the file mean two things; {@code reprise-tools summary} reads it to
 * say who used the directory last and whether that process still runs.
 *
 * <p>The directory, when this creates it, is {@code rwx------} and the lock file {@code rw-------}
 * ({@link PrivateFiles}); a directory that exists keeps its permissions.
 */
public final class DataDirLock implements AutoCloseable {

    /** The lock file's name in the data directory. */
    public static final String FILE_NAME = "reprise.lock";

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir}, creating it (and the lock file) if needed, and writes this process's pid into the lock file.
     *
     * @param dir the data directory, {@code reprise.dir}
     * @throws DataDirLockedException when another process holds the lock, or this process holds it already
     * @throws IOException            when the directory or the lock file cannot be created, opened or written
     */
    public static DataDirLock acquire(Path dir) throws IOException {
        PrivateFiles.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel = open(file);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this JVM already
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = readHolder(channel);
            channel.close();
            throw new DataDirLockedException(dir, file, holder);
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
        } catch (IOException | RuntimeException e) {
            channel.close(); // releases the lock too
            throw e;
        }
        return new DataDirLock(file, channel, lock);
    }

    /** Opens the lock file, creating it {@code rw-------} if it does not exist. */
    private static FileChannel open(Path file) throws IOException {
        Set<StandardOpenOption> create = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            FileChannel channel = FileChannel.open(file, create, PrivateFiles.fileAttributes(file.getParent()));
            PrivateFiles.restrict(file, PrivateFiles.FILE);
            return channel;
        } catch (FileAlreadyExistsException e) {
            return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
    }

    /** The pid in the lock file, for a message; "unknown" if it is empty or cannot be read. */
    private static String readHolder(FileChannel channel) {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(32);
            channel.read(buffer, 0);
            String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? "unknown" : text;
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The lock file, {@code <dir>/reprise.lock}. */
    public Path file() {
        return file;
    }

    /** Releases the lock. The pid stays in the file (see the class comment). */
    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
