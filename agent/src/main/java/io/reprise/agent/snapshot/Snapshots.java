package io.reprise.agent.snapshot;

import io.reprise.agent.lifecycle.Lifecycle;
import io.reprise.agent.writepath.WritePath;
import io.reprise.journal.Journal;
import io.reprise.snapshot.store.PendingSnapshot;
import io.reprise.snapshot.store.SnapshotFile;
import io.reprise.snapshot.store.SnapshotStore;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Takes snapshots through the application's provider: every {@code reprise.snapshot.interval}, after
 * {@code reprise.snapshot.every} journaled requests, whichever comes first, and once more at shutdown.
 *
 * <p>The flow: take the order (no journaled request runs) → each {@link SnapshotSection} writes its section,
 * then the provider writes the state, into a temp file → note the journal position → release the order → finish
 * the file (header with checksum, fsync, rename, directory fsync) → apply retention. Writers are paused only while
 * the sections and the provider write, into the page cache.
 *
 * <p>Two-phase, when the provider's {@code capture()} returns a frozen view: under the order only the captures run
 * (the provider's, and each section's, or a section's bytes into memory when it has none); the order is released,
 * and then the frozen views are written, sections first, while writers run. The pause is then the captures' time.
 */
public final class Snapshots {

    private static final Logger LOG = System.getLogger("io.reprise.snapshot");

    private final SnapshotStore store;
    private final ProviderHandle provider;
    private final WritePath writePath;
    private final Duration interval;
    private final int keep;
    private final Lifecycle lifecycle;
    private final JournalRetention journalRetention;
    private final List<SnapshotSection> sections;

    /** Deletes journal files that only hold entries before a position; returns what it deleted. */
    @FunctionalInterface
    public interface JournalRetention {
        List<Path> deleteFilesBefore(long position) throws IOException;
    }

    // Two locks on purpose: nudge() runs on the write path under the order, and must never wait for a
    // snapshot that is itself waiting for the order.
    private final ReentrantLock schedule = new ReentrantLock();
    private final Condition wake = schedule.newCondition();
    private boolean due;         // guarded by schedule
    private boolean stopped;     // guarded by schedule
    private final ReentrantLock taking = new ReentrantLock();
    private long lastPosition;   // guarded by taking; the position the newest snapshot covers
    private Thread thread;

    /** @param sections the agent's own state to save beside the provider's, each as a section of the snapshot */
    public Snapshots(SnapshotStore store, ProviderHandle provider, WritePath writePath, Duration interval, int keep,
                     long restoredPosition, Lifecycle lifecycle, JournalRetention journalRetention,
                     List<SnapshotSection> sections) {
        this.sections = List.copyOf(sections);
        this.lifecycle = lifecycle;
        this.journalRetention = journalRetention;
        this.store = store;
        this.provider = provider;
        this.writePath = writePath;
        this.interval = interval;
        this.keep = keep;
        this.lastPosition = restoredPosition;
    }

    /** Starts the schedule. */
    /**
     * Runs, once, what a two-phase snapshot does while writers wait, and keeps nothing: the provider's and the
     * sections' {@code capture()}. Called before the port opens, when no request can wait on it, so that the first
     * snapshot under load does not pay for loading and linking the classes that capture uses (1 to 3 ms inside the
     * order, measured on the bench's key/value service, against 0.1 ms for every later one). Nothing is written; a
     * provider without {@code capture()} is not called, since its {@code save} would write the whole state.
     */
    public void warmUp() throws IOException {
        ProviderHandle.Frozen frozen = provider.capture();
        if (frozen == null) {
            return;
        }
        for (SnapshotSection section : sections) {
            section.capture();
        }
    }

    public void start() {
        thread = new Thread(this::run, "reprise-snapshots");
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks for a snapshot soon; cheap, called on the write path when enough entries were journaled. */
    public void nudge() {
        schedule.lock();
        try {
            due = true;
            wake.signal();
        } finally {
            schedule.unlock();
        }
    }

    private void run() {
        while (true) {
            schedule.lock();
            try {
                long deadline = System.nanoTime() + interval.toNanos();
                while (!due && !stopped) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    wake.awaitNanos(left);
                }
                if (stopped) {
                    return;
                }
                due = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                schedule.unlock();
            }
            try {
                take();
            } catch (Exception e) {
                LOG.log(Level.WARNING, "reprise: snapshot failed; the journal still holds every request, will try again: " + e, e);
            }
        }
    }

    /**
     * Takes one snapshot now unless nothing was journaled since the last one. Returns the file, or null when
     * there was nothing new to cover.
     */
    public SnapshotFile take() throws Exception {
        taking.lock();
        try {
            return takeLocked(false);
        } finally {
            taking.unlock();
        }
    }

    private SnapshotFile takeLocked(boolean atShutdown) throws Exception {
        long started = System.nanoTime();
        try (PendingSnapshot pending = store.begin()) {
            long[] pause = new long[1];
            List<ProviderHandle.Frozen> frozenSections = new ArrayList<>();
            ProviderHandle.Frozen[] frozenState = new ProviderHandle.Frozen[1];
            long position = writePath.whileNoRequestRuns(() -> {
                long pauseStart = System.nanoTime();
                long covered = writePath.lastPosition();
                if (covered != Journal.NO_POSITION && covered != lastPosition) {
                    frozenState[0] = provider.capture();
                    if (frozenState[0] == null) {
                        // No frozen view: everything is written now, while no request runs, as before capture().
                        for (SnapshotSection section : sections) { // before the payload, as they lie in the file
                            pending.writeSection(section.name(), section.version(), section::write);
                        }
                        OutputStream out = pending.stream();
                        provider.save(out);
                        out.flush();
                    } else {
                        for (SnapshotSection section : sections) {
                            frozenSections.add(frozen(section));
                        }
                    }
                    writePath.snapshotTaken();
                }
                pause[0] = System.nanoTime() - pauseStart;
                return covered;
            });
            if (position == Journal.NO_POSITION || position == lastPosition) {
                return null;
            }
            if (frozenState[0] != null) {
                // Two-phase: what was frozen under the order is written now, while writers run.
                for (int i = 0; i < sections.size(); i++) {
                    SnapshotSection section = sections.get(i);
                    pending.writeSection(section.name(), section.version(), frozenSections.get(i)::writeTo);
                }
                OutputStream out = pending.stream();
                frozenState[0].writeTo(out);
                out.flush();
            }
            SnapshotFile file = pending.commit(position);
            lastPosition = position;
            List<Path> deleted = store.retain(keep);
            List<SnapshotFile> kept = store.list();
            // Nothing a kept snapshot needs is deleted: the journal is kept from the oldest one on.
            List<Path> journalDeleted = kept.isEmpty() ? List.of()
                    : journalRetention.deleteFilesBefore(kept.get(kept.size() - 1).position());
            String line = String.format("reprise: %ssnapshot at journal position %d written to %s: writers paused %.2f ms%s, "
                            + "total %.1f ms, %d old snapshot(s) and %d journal file(s) removed", atShutdown ? "final " : "",
                    position, file.path().getFileName(), pause[0] / 1e6,
                    frozenState[0] != null ? " (two-phase: capture under the order, written after it)" : "",
                    (System.nanoTime() - started) / 1e6,
                    deleted.size(), journalDeleted.size());
            // The journal has moved on while the file was finished: say where it ends now, not where the snapshot is.
            lifecycle.snapshotTaken(position, System.currentTimeMillis(), Math.max(position, writePath.lastPosition()));
            if (atShutdown) {
                // java.util.logging resets its handlers in a shutdown hook of its own, which races this one.
                System.err.println(line);
            } else {
                LOG.log(Level.INFO, line);
            }
            return file;
        }
    }

    /**
     * A section's state frozen under the order: its own frozen view, or, for a section without one, its bytes written
     * into memory now.
     */
    private static ProviderHandle.Frozen frozen(SnapshotSection section) throws IOException {
        ProviderHandle.Frozen frozen = section.capture();
        if (frozen != null) {
            return frozen;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        section.write(bytes);
        return bytes::writeTo;
    }

    /** Stops the schedule without writing anything more (this process lost the right to write). */
    public void stop() {
        schedule.lock();
        try {
            stopped = true;
            wake.signal();
        } finally {
            schedule.unlock();
        }
        if (thread != null) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Stops the schedule and takes a final snapshot (orderly shutdown). */
    public void stopWithFinalSnapshot() {
        stop();
        taking.lock();
        try {
            takeLocked(true);
        } catch (Exception e) {
            System.err.println("reprise: final snapshot failed; the next start replays the journal from the previous one: " + e);
        } finally {
            taking.unlock();
        }
    }

    /** The position the newest snapshot covers, or {@link Journal#NO_POSITION}. */
    public long lastPosition() {
        taking.lock();
        try {
            return lastPosition;
        } finally {
            taking.unlock();
        }
    }
}
