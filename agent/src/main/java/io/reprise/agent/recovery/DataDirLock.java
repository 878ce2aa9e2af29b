package io.reprise.agent.recovery;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The writer lock of a data directory, {@code <dir>/reprise.lock} (C7). Taken before anything in the
 * directory is read or written; held until the process ends. The holder's pid is written into the file so
 * that a second process can say who holds it.
 */
public final class DataDirLock implements AutoCloseable {

    public static final String FILE_NAME = "reprise.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir}, creating it if needed.
     *
     * @throws DataDirLockedException when another process holds the lock
     */
    public static DataDirLock acquire(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = readHolder(channel);
            channel.close();
            throw new DataDirLockedException("reprise: data directory " + dir + " is in use by another process (pid "
                    + holder + "); two processes must never append to one journal. Stop the other process, or give "
                    + "this one its own directory with -Dreprise.dir=...");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(false);
        return new DataDirLock(channel, lock);
    }

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

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }

    /** Another process holds the data directory. */
    public static final class DataDirLockedException extends IOException {
        DataDirLockedException(String message) {
            super(message);
        }
    }
}
