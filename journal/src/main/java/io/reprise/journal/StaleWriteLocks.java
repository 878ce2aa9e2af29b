package io.reprise.journal;

import net.openhft.chronicle.queue.impl.TableStore;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.queue.impl.single.TableStoreWriteLock;
import net.openhft.chronicle.queue.impl.table.Metadata;
import net.openhft.chronicle.queue.impl.table.SingleTableBuilder;
import net.openhft.chronicle.threads.Pauser;

import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Releases the write locks a previous process left in a journal directory when it died while
 * appending.
 *
 * <p>Chronicle Queue keeps its cross-process write lock as a PID in {@code metadata.cq4t}. Opening a
 * queue frees the lock only if that PID belongs to no live process; otherwise the first append waits
 * for the lock timeout (15 s) and then fails. That is what happens when the PID has been reused, which
 * is the rule rather than the exception in a container: the JVM is PID 1 before a crash and PID 1
 * after the restart, so it finds "its own" lock and waits for itself.
 *
 * <p>Reprise's caller guarantees a single writer process per data directory (the lock file, and the
 * Lease on Kubernetes), and {@link Journal} refuses a second open of one directory in the same JVM.
 * So when a journal is being opened, nobody can be appending to it, and any held lock is stale
 * whatever PID it names. This class frees it unconditionally, the way Chronicle's own
 * {@code UnlockMain} tool does, and logs what it freed.
 */
final class StaleWriteLocks {

    static final String METADATA_FILE = "metadata.cq4t";

    private StaleWriteLocks() {
        throw new AssertionError("not instantiable");
    }

    /** Frees Chronicle's write and append locks in {@code dir}, if the queue exists and they are held. */
    static void release(Path dir, System.Logger log) {
        Path metadata = dir.resolve(METADATA_FILE);
        if (!Files.exists(metadata)) {
            return; // a new journal: nothing can be locked
        }
        // The metadata file names its type by alias ("SCQMeta"); the aliases are registered when the
        // queue builder initialises, which in a fresh process has not happened yet.
        SingleChronicleQueueBuilder.addAliases();
        try (TableStore<Metadata.NoMeta> store =
                     SingleTableBuilder.binary(metadata, Metadata.NoMeta.INSTANCE).readOnly(false).build()) {
            // The timeout is for lock(), which is never called on these instances.
            release(new TableStoreWriteLock(store, Pauser::timedBusy, 0L), "write", metadata, log);
            release(new TableStoreWriteLock(store, Pauser::timedBusy, 0L, TableStoreWriteLock.APPEND_LOCK_KEY),
                    "append", metadata, log);
        }
    }

    private static void release(TableStoreWriteLock lock, String which, Path metadata, System.Logger log) {
        try (lock) {
            if (!lock.locked()) {
                return;
            }
            long pid = (int) lock.lockedBy(); // Chronicle keeps the PID in the low 32 bits
            String holder = pid == ProcessHandle.current().pid()
                    ? "this process's PID, reused after a restart"
                    : ProcessHandle.of(pid).isPresent() ? "a live process with a reused PID" : "a process that has died";
            log.log(Level.WARNING, "Journal " + which + " lock in " + metadata + " was held by PID " + pid + " ("
                    + holder + "): released it, since this process is the journal's only writer. The previous"
                    + " writer stopped while appending; an entry it left incomplete is not replayed.");
            lock.forceUnlock();
        }
    }
}
