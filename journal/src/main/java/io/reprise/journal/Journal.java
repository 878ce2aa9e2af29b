package io.reprise.journal;

import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request journal: an append-only sequence of {@link JournalEntry entries} in a Chronicle Queue
 * directory ({@code <data>/journal}). Each entry gets a position, which increases in append order.
 *
 * <p>Records: each journaled request is an entry ({@link #appendRequest}), followed by its outcome record
 * ({@link #appendOutcome}) once its handler has run; readers return the entries with their outcomes attached.
 * Both kinds of record take a position. {@link #append} writes an entry after which no outcome is expected.
 *
 * <p>Threading: {@link #append}, {@link #appendRequest} and {@link #appendOutcome} are not thread-safe. The caller serialises appends with its own lock
 * (it needs one anyway, to apply requests in journal order), but successive appends may come from
 * different threads. Readers are independent of appends and of each other.
 *
 * <p>One {@code Journal} per directory per JVM, and the caller guarantees one writer process per
 * directory. This class relies on that to free a write lock left behind by a crashed writer
 * (see {@link StaleWriteLocks}).
 */
public final class Journal implements JournalView, AutoCloseable {

    /** "No position": the journal is empty, or read from the first entry. */
    public static final long NO_POSITION = -1L;

    /**
     * The most bytes one record (a request entry or an outcome record) may take: Chronicle refuses a document larger than a quarter of its block size
     * ({@code QueueFormat.BLOCK_SIZE}, 128 MiB), so 32 MiB. {@link #append} refuses larger entries before
     * writing anything; adapters keep requests below it with {@link #entryBytesBesideBody}.
     */
    public static final int MAX_ENTRY_BYTES = (int) (QueueFormat.BLOCK_SIZE / 4);

    static {
        // Before any Chronicle class initialises: they read these properties in their static initialisers.
        ChronicleEnvironment.prepare();
    }

    private static final System.Logger LOG = System.getLogger("io.reprise.journal");
    private static final Set<Path> OPEN_DIRECTORIES = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final SingleChronicleQueue queue;
    private final ExcerptAppender appender;
    private final EntryCodec codec;
    private volatile long lastPosition;
    private long lastRequestTimeMillis; // under the caller's append lock
    private volatile boolean closed;

    // Durability. The cycle file of the last append is noted by append (under the caller's lock, and only
    // when the cycle changes); force() runs on any thread, under forceLock.
    private int writtenCycle = Integer.MIN_VALUE;
    private volatile File writtenFile;
    private final Object forceLock = new Object();
    private File forcedFile;            // guarded by forceLock
    private FileChannel forcedChannel;  // guarded by forceLock

    private Journal(Path dir, SingleChronicleQueue queue, ExcerptAppender appender) {
        this.dir = dir;
        this.queue = queue;
        this.appender = appender;
        // Chronicle refuses a document larger than a quarter of its block size; checking first turns that
        // into a clear error before anything is written.
        this.codec = new EntryCodec((int) Math.min(MAX_ENTRY_BYTES, queue.blockSize() / 4));
        this.lastPosition = queue.lastIndex(); // -1 when empty, which is NO_POSITION
    }

    /**
     * Opens the journal in {@code dir}, creating the directory and the queue if needed.
     *
     * @param dir the journal directory, {@code <data>/journal}
     * @throws IOException      if the directory cannot be created or is not writable
     * @throws JournalException if the journal is already open in this JVM or Chronicle cannot open it
     */
    /**
     * Initialises Chronicle's classes (its JVM probing, the queue's builder, wire types) without touching any file, so
     * that a later {@link #open} does not pay for it: the agent calls it on a background thread as soon as it knows it
     * is enabled, long before the data directory is locked and the journal may be opened. Idempotent, thread-safe.
     */
    public static void warmUp() {
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            for (String name : WARM_UP) {
                Class.forName(name, true, Journal.class.getClassLoader());
            }
        } catch (ClassNotFoundException | LinkageError e) {
            // Only a head start: open() loads what it needs and reports what is missing.
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /** The classes whose initialisation takes most of the time of a first open, measured (docs/architecture.md). */
    private static final String[] WARM_UP = {
            "net.openhft.chronicle.core.Jvm",
            "net.openhft.chronicle.core.OS",
            "net.openhft.chronicle.bytes.MappedFile",
            "net.openhft.chronicle.wire.Wires",
            "net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder",
            "net.openhft.chronicle.queue.impl.single.SingleChronicleQueue",
    };

    public static Journal open(Path dir) throws IOException {
        return open(dir, null);
    }

    /** As {@link #open(Path)}, with Chronicle's clock replaced (tests move it across roll cycles). */
    static Journal open(Path dir, TimeProvider time) throws IOException {
        // Owner-only when created here: the journal holds the requests' headers and bodies (see PrivateFiles).
        Path directory = PrivateFiles.createDirectories(dir.toAbsolutePath().normalize()).toRealPath();
        if (!Files.isWritable(directory)) {
            throw new AccessDeniedException(directory.toString(), null,
                    "the journal directory is not writable by this process; fix its owner or permissions");
        }
        if (!OPEN_DIRECTORIES.add(directory)) {
            throw new JournalException("The journal in " + directory + " is already open in this JVM. Open it"
                    + " once and share the Journal; a second writer would corrupt it.");
        }
        long started = System.nanoTime();
        SingleChronicleQueue queue = null;
        ExcerptAppender appender = null;
        boolean opened = false;
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            StaleWriteLocks.release(directory, LOG);
            queue = QueueFormat.builder(directory, time, false).build(); // one file per day, see QueueFormat
            appender = createAppender(queue, directory);
            Journal journal = new Journal(directory, queue, appender);
            opened = true;
            LOG.log(Level.INFO, () -> String.format("Journal opened at %s in %d ms, last position %d",
                    directory, (System.nanoTime() - started) / 1_000_000, journal.lastPosition));
            return journal;
        } catch (JournalException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new JournalException("Could not open the journal in " + directory + ": " + e, e);
        } finally {
            if (!opened) {
                closeQuietly(appender);
                closeQuietly(queue);
                OPEN_DIRECTORIES.remove(directory);
            }
            ChronicleEnvironment.exit(previous);
        }
    }

    private static ExcerptAppender createAppender(SingleChronicleQueue queue, Path directory) {
        ExcerptAppender appender;
        try {
            appender = queue.createAppender();
        } catch (IllegalStateException e) {
            if (e.getMessage() == null || !e.getMessage().contains("read-only")) {
                throw e;
            }
            throw new JournalException("Chronicle Queue opened the journal in " + directory + " read-only, so"
                    + " nothing can be appended. It does that when it cannot reach the JDK internals it needs:"
                    + " start the JVM with --add-exports=java.base/sun.nio.ch=ALL-UNNAMED"
                    + " --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED"
                    + " --add-opens=java.base/java.lang.reflect=ALL-UNNAMED (the Reprise agent opens them"
                    + " itself when it loads the journal).", e);
        }
        // Chronicle checks that an appender is only ever used by the thread that first used it. Our
        // appends come from request threads, one at a time under the caller's lock, which also gives
        // each append a happens-before edge to the previous one; that is the safety the check stands
        // in for, so the check is switched off for this appender (resetting it per append would cost
        // volatile writes and prove nothing more).
        appender.singleThreadedCheckDisabled(true);
        return appender;
    }

    /**
     * The bytes the entry of this request takes besides its body's own bytes: the entry of a request with a body
     * of {@code n} bytes takes at most this plus {@code n}. It does not depend on the body, so an adapter can
     * check it before reading the body.
     */
    public static long entryBytesBesideBody(String method, String target, List<Header> headers) {
        return EntryCodec.bytesBesideBody(method, target, headers);
    }

    /**
     * The most bytes the outcome record of {@code outcome} takes ({@link #appendOutcome} writes at most this
     * many). A write path that reserves journal space before running a handler can reserve this for its outcome.
     */
    public static int outcomeBytes(Outcome outcome) {
        return (int) Math.min(EntryCodec.outcomeBytes(outcome), Integer.MAX_VALUE);
    }

    /**
     * Appends one request entry after which no outcome record is expected (kind 1), stamped with the current
     * wall-clock time. Tools, tests and benchmark generators use it; the agent's write path uses
     * {@link #appendRequest}.
     *
     * <p>Not thread-safe: the caller serialises appends (they may come from different threads). Once
     * this returns, the entry is in the page cache and survives a crash of this process; it is not
     * forced to disk.
     *
     * @param method  the HTTP method
     * @param target  the request path plus raw query, exactly as received
     * @param headers the request headers, in order, duplicates included
     * @param body    the request body; null is taken as empty
     * @return the entry's position
     * @throws JournalException if the entry is too large or cannot be written; nothing is appended
     */
    public long append(String method, String target, List<Header> headers, byte[] body) {
        ensureOpen();
        return write(codec.encode(EntryCodec.KIND_REQUEST, System.currentTimeMillis(), method, target, headers, body));
    }

    private static final java.util.regex.Pattern RECORD_TYPE = java.util.regex.Pattern.compile("[a-z0-9.-]{1,32}");

    /**
     * Appends an agent record (kind 4): a change the agent journals itself, in journal order among the requests,
     * which readers return as a {@link JournalEntry} with {@link JournalEntry#agentRecord()} true. Same threading
     * and durability as {@link #append}.
     *
     * @param type   what kind of change, {@code [a-z0-9.-]}, 1 to 32 characters (e.g. {@code session}); the
     *               entry's method is {@code '@'} and the type
     * @param target what it applies to (e.g. a servlet context)
     * @param body   the change, as the type defines it
     */
    public long appendRecord(String type, String target, byte[] body) {
        if (type == null || !RECORD_TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("an agent record's type is 1 to 32 characters a-z 0-9 . -, not " + type);
        }
        ensureOpen();
        return write(codec.encode(EntryCodec.KIND_AGENT_RECORD, System.currentTimeMillis(),
                JournalEntry.AGENT_RECORD + type, target, List.of(), body));
    }

    /**
     * As {@link #append}, for a request whose outcome follows (kind 3): the caller appends it with
     * {@link #appendOutcome} once the handler has returned or thrown, before any other record. A reader returns
     * an entry whose outcome never came with {@link JournalEntry#outcomeMissing()} true.
     */
    public long appendRequest(String method, String target, List<Header> headers, byte[] body) {
        ensureOpen();
        long now = System.currentTimeMillis();
        long position = write(codec.encode(EntryCodec.KIND_REQUEST_WITH_OUTCOME, now, method, target, headers, body));
        lastRequestTimeMillis = now;
        return position;
    }

    /**
     * The {@link JournalEntry#timeMillis} of the last request {@link #appendRequest} appended (0 before the first):
     * what a reader of that entry will see, so the agent can decide on it live exactly as on replay. Same threading
     * as the appends.
     */
    public long lastRequestTimeMillis() {
        return lastRequestTimeMillis;
    }

    /**
     * Appends the outcome record of the request entry at {@code requestPosition}. Readers attach it to that entry
     * when it is the next record after it, so append it right after the entry, under the same lock as the
     * appends. Same threading and durability as {@link #append}; allocates nothing once the codec's buffer has
     * grown to the largest record.
     *
     * @param requestPosition the position {@link #appendRequest} returned
     * @return the outcome record's position
     * @throws JournalException if the record is too large or cannot be written; nothing is appended
     */
    public long appendOutcome(long requestPosition, Outcome outcome) {
        ensureOpen();
        return write(codec.encodeOutcome(requestPosition, outcome));
    }

    /** Writes {@code codec.buffer()[0, length)} as one document; all or nothing. */
    private long write(int length) {
        ClassLoader previous = ChronicleEnvironment.enter();
        try (DocumentContext document = appender.writingDocument()) {
            try {
                document.wire().bytes().write(codec.buffer(), 0, length);
            } catch (RuntimeException | Error e) {
                document.rollbackOnClose(); // an exception must not leave half an entry in the journal
                throw e;
            }
        } catch (RuntimeException e) {
            throw new JournalException("Could not append a " + length + "-byte entry to the journal in " + dir
                    + ": " + e, e);
        } finally {
            ChronicleEnvironment.exit(previous);
        }
        long position = appender.lastIndexAppended();
        int cycle = appender.cycle();
        if (cycle != writtenCycle) {
            writtenCycle = cycle;
            writtenFile = appender.currentFile();
        }
        lastPosition = position;
        return position;
    }

    /**
     * Forces every entry appended before this call to the storage device and returns the last position it
     * covers ({@link #NO_POSITION} if nothing was appended by this journal yet). Thread-safe, and may run while
     * another thread appends; concurrent callers are served one at a time, so a caller that waited got an fsync
     * that started after its own append.
     *
     * <p>It calls {@code fdatasync} through a {@link FileChannel} of its own on the queue's cycle file, rather
     * than Chronicle's sync mode, which silently does nothing when its native layer fails to load. On Linux
     * this writes back the dirty pages of the memory-mapped file. When the journal rolled to a new cycle file
     * since the last force, the rest of the previous file and the directory are forced too.
     *
     * @throws IOException if the device reports a write error: the caller must assume that entries since the
     *     last successful force are lost on a machine crash
     */
    public long force() throws IOException {
        long covered = lastPosition; // read first: whatever is appended after this is not promised
        File file = writtenFile;
        if (file == null) {
            return NO_POSITION;
        }
        synchronized (forceLock) {
            ensureOpen();
            if (!file.equals(forcedFile)) {
                if (forcedChannel != null) {
                    forcedChannel.force(false); // the end of the previous cycle file
                    forcedChannel.close();
                }
                forcedChannel = FileChannel.open(file.toPath(), StandardOpenOption.READ);
                forcedFile = file;
                forceDirectory();
            }
            forcedChannel.force(false);
        }
        return covered;
    }

    /** The new cycle file's directory entry must be durable too. */
    private void forceDirectory() throws IOException {
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    /**
     * The position of the last record in the journal (a request entry or an outcome record), or
     * {@link #NO_POSITION} when it is empty.
     */
    public long lastPosition() {
        return lastPosition;
    }

    /**
     * A reader over the entries strictly after {@code position}. An outcome record right after {@code position}
     * belongs to the entry at {@code position} and is skipped.
     *
     * @param position a record's position (an entry's or an outcome's), or {@link #NO_POSITION} to read from the
     *                 first entry
     * @throws JournalException if {@code position} is not the position of an entry in this journal
     */
    public JournalReader readAfter(long position) {
        ensureOpen();
        ClassLoader previous = ChronicleEnvironment.enter();
        ExcerptTailer tailer = queue.createTailer();
        try {
            // Like an Iterator, a reader is used by one thread at a time, but it may be created on one
            // thread and drained on another (recovery hands it over); Chronicle's thread-affinity
            // check would reject that.
            tailer.singleThreadedCheckDisabled(true);
            if (position == NO_POSITION) {
                tailer.toStart();
            } else if (position < 0 || !tailer.moveToIndex(position) || !skipOne(tailer)) {
                throw new JournalException("Position " + position + " is not in the journal in " + dir
                        + " (its entries run from " + firstPositionText() + " to " + lastPosition + "). A"
                        + " snapshot or caller refers to journal that is missing: check that the journal"
                        + " directory belongs to this data directory and that no journal files were deleted.");
            }
            return new JournalReader(queue, tailer, dir);
        } catch (RuntimeException | Error e) {
            tailer.close();
            throw e;
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /**
     * The number of records strictly after {@code position} ({@link #NO_POSITION}: all records), without
     * reading them: Chronicle counts from its index. Records are request entries and outcome records alike, so
     * in a journal written with outcomes this is about twice the number of requests; it cannot tell the two
     * apart without reading each record.
     */
    public long countAfter(long position) {
        ensureOpen();
        long last = lastPosition;
        if (last == NO_POSITION || position >= last) {
            return 0;
        }
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            if (position == NO_POSITION) {
                return queue.countExcerpts(queue.firstIndex(), last) + 1; // [first, last) plus last itself
            }
            return queue.countExcerpts(position, last); // [position, last) has as many entries as (position, last]
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /**
     * The position of the first entry still in the journal, or {@link #NO_POSITION} when it is empty.
     * It moves forward when {@link #deleteFilesBefore} drops old files.
     */
    public long firstPosition() {
        ensureOpen();
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            return JournalRetention.firstPosition(queue);
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /**
     * Retention: deletes the journal's files (one per day) all of whose entries lie strictly before
     * {@code position}, typically the position the oldest kept snapshot covers. The file that holds
     * {@code position}, and every later one, is kept, so {@code readAfter(position)} keeps working.
     * Safe while appends and readers after {@code position} run; see {@link JournalRetention}.
     *
     * @param position an entry's position, or {@link #NO_POSITION} (deletes nothing)
     * @return the deleted files, oldest first; empty if none
     * @throws JournalException if {@code position} lies after the last entry
     * @throws IOException      if the journal directory cannot be listed
     */
    public List<Path> deleteFilesBefore(long position) throws IOException {
        return deleteFilesBefore(position, java.nio.file.Files::deleteIfExists);
    }

    /** As {@link #deleteFilesBefore(long)}, deleting each file through {@code deleter} (tests crash in between). */
    List<Path> deleteFilesBefore(long position, JournalRetention.Deleter deleter) throws IOException {
        ensureOpen();
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            return JournalRetention.deleteFilesBefore(queue, dir, position, lastPosition, deleter);
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /**
     * Where retention has cut the journal's history: every entry before this position was deleted by
     * {@link #deleteFilesBefore}, so reading "the whole journal" no longer replays the whole history. A
     * recovery without a usable snapshot must refuse to start from the journal alone when this is not
     * {@link #NO_POSITION}. Kept in Chronicle's {@code metadata.cq4t}, so it survives restarts.
     *
     * @return the position, or {@link #NO_POSITION} if retention never deleted anything
     */
    public long deletedBefore() {
        ensureOpen();
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            return JournalRetention.deletedBefore(queue);
        } finally {
            ChronicleEnvironment.exit(previous);
        }
    }

    /** Whether a {@code Journal} is open on {@code directory} (a real path) in this JVM. */
    static boolean isOpenInThisJvm(Path directory) {
        return OPEN_DIRECTORIES.contains(directory);
    }

    /** Reads past the entry the tailer is on; false if there is no complete entry there. */
    private static boolean skipOne(ExcerptTailer tailer) {
        try (DocumentContext document = tailer.readingDocument()) {
            return document.isPresent();
        }
    }

    private String firstPositionText() {
        long first = queue.firstIndex();
        return first == Long.MAX_VALUE ? "nowhere, it is empty," : Long.toString(first);
    }

    /** The journal directory. */
    public Path directory() {
        return dir;
    }

    /** Closes the journal. Readers obtained from it stop working. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (forceLock) {
            closeQuietly(forcedChannel);
            forcedChannel = null;
        }
        ClassLoader previous = ChronicleEnvironment.enter();
        try {
            closeQuietly(appender);
            closeQuietly(queue);
        } finally {
            ChronicleEnvironment.exit(previous);
            OPEN_DIRECTORIES.remove(dir);
        }
        LOG.log(Level.DEBUG, () -> "Journal closed at " + dir + ", last position " + lastPosition);
    }

    // Package-private for tests that simulate a crash in the middle of an append.
    ExcerptAppender appender() {
        return appender;
    }

    private void ensureOpen() {
        if (closed) {
            throw new JournalException("The journal in " + dir + " is closed.");
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "Could not close " + closeable.getClass().getSimpleName() + " of the journal", e);
        }
    }
}
