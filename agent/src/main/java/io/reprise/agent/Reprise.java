package io.reprise.agent;

import io.reprise.agent.config.Config;
import io.reprise.agent.lifecycle.Fence;
import io.reprise.agent.lifecycle.Lifecycles;
import io.reprise.agent.lifecycle.WriteDeadline;
import io.reprise.agent.recovery.Recovery;
import io.reprise.agent.recovery.RecoveryException;
import io.reprise.agent.recovery.RecoveryReport;
import io.reprise.agent.recovery.Replayer;
import io.reprise.agent.snapshot.ProviderDiscovery;
import io.reprise.agent.snapshot.ProviderHandle;
import io.reprise.agent.idempotency.Idempotency;
import io.reprise.agent.snapshot.SnapshotSection;
import io.reprise.agent.snapshot.Snapshots;
import io.reprise.agent.writepath.Durability;
import io.reprise.agent.writepath.WritePath;
import io.reprise.journal.DataDirLock;
import io.reprise.journal.DataDirPermissions;
import io.reprise.journal.Journal;
import io.reprise.journal.JournalRepair;
import io.reprise.journal.JournalTruncation;
import io.reprise.snapshot.store.SnapshotStore;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One running Reprise: the data directory it holds, its journal, the write path every adapter shares, the
 * snapshot schedule, and the one recovery that must finish before any port opens.
 */
public final class Reprise {

    private static final Logger LOG = System.getLogger("io.reprise");

    private final Config config;
    private final Path dataDir;
    private final DataDirLock lock;
    private final BackgroundTask<Journal> opening;
    private final CompletableFuture<Journal> journal;
    private final WritePath writePath;

    private final Object recoveryMonitor = new Object();
    private boolean recovered;                 // guarded by recoveryMonitor
    private RuntimeException recoveryFailure;  // guarded by recoveryMonitor
    private volatile Snapshots snapshots;      // null without a provider
    private volatile Journal openJournal;      // the journal after recovery (a new one if recovery cut it)
    private volatile boolean shutDown;
    private volatile boolean fenced;
    private final Lifecycles lifecycles = new Lifecycles();
    /** The agent's own state, saved in snapshots beside the provider's: the servlet adapter's container sessions. */
    private final List<SnapshotSection> snapshotSections = new java.util.concurrent.CopyOnWriteArrayList<>();

    private final boolean check;               // reprise.mode=check: replay, report, exit; write nothing
    private final Idempotency idempotency;     // the Idempotency-Key table every adapter shares

    private Reprise(Config config, DataDirLock lock) {
        this.check = lock == null;
        this.config = config;
        this.dataDir = config.dataDirectory();
        this.lock = lock;
        this.opening = new BackgroundTask<>("reprise-journal-open", () -> Journal.open(dataDir.resolve("journal")));
        this.journal = opening.result();
        this.writePath = new WritePath(config.journaledMethods(), config.excludedPaths(), config.snapshotEvery(), config.maxBody(),
                config.deterministic());
        this.writePath.asyncLimits(config.journalQueue(), config.journalTimeout());
        this.idempotency = config.idempotency();
        if (idempotency.enabled()) {
            snapshotSections.add(idempotency.table());
        }
    }

    /**
     * Locks the data directory (failing fast when another process holds it, C7) and, with {@code openJournalNow},
     * starts opening the journal in the background, so that the cost overlaps the application's own start-up.
     * Without it, the journal is opened at recovery, after every lifecycle's {@code beforeRecovery} (a Lease).
     */
    static Reprise start(Config config, boolean openJournalNow) throws IOException {
        Path dir = config.dataDirectory();
        DataDirLock lock = DataDirLock.acquire(dir);
        DataDirPermissions.closeOpenParts(dir).ifPresent(warning -> LOG.log(Level.WARNING, warning));
        Reprise reprise = new Reprise(config, lock);
        if (openJournalNow) {
            reprise.startOpeningJournal();
        }
        Runtime.getRuntime().addShutdownHook(new Thread(reprise::shutdown, "reprise-shutdown"));
        return reprise;
    }

    /**
     * {@code reprise.mode=check}: no lock is taken and nothing is opened for writing. The first adapter that is about to
     * open a port replays the data directory, prints the report and ends the process ({@link CheckReport}).
     */
    static Reprise check(Config config) {
        return new Reprise(config, null);
    }

    /**
     * Opens the journal on a background thread, once. Opening writes to the journal directory (it frees write locks
     * a crashed writer left), so where a Lease fences the data volume it starts only once the Lease is held (C7).
     */
    private void startOpeningJournal() {
        opening.start();
    }

    /**
     * Adds state of the agent's own (an adapter's container sessions) to every snapshot, as a section, and to
     * recovery; call before recovery starts.
     */
    public void addSnapshotSection(SnapshotSection section) {
        snapshotSections.add(section);
    }

    public WritePath writePath() {
        return writePath;
    }

    /** Idempotency-Key handling, for every adapter's journaled requests ({@code reprise.idempotency.*}). */
    public Idempotency idempotency() {
        return idempotency;
    }

    public Config config() {
        return config;
    }

    /** Where parts of the agent that follow its phases (e.g. Kubernetes support) are added, before recovery. */
    public Lifecycles lifecycles() {
        return lifecycles;
    }

    /**
     * Called by an adapter right before its port opens. The first call restores the state and replays the
     * journal through {@code replayer}; every call returns only once that is done, and throws if it failed,
     * so that no port ever opens on a partial state (C4).
     */
    public void recoverBeforeServing(Replayer replayer) {
        if (check) {
            synchronized (recoveryMonitor) {
                CheckReport.runAndExit(config, replayer); // does not return
            }
        }
        synchronized (recoveryMonitor) {
            if (recoveryFailure != null) {
                throw recoveryFailure;
            }
            if (recovered) {
                return;
            }
            try {
                recover(replayer);
                recovered = true;
            } catch (RuntimeException e) {
                recoveryFailure = e;
                LOG.log(Level.ERROR, e.getMessage());
                lifecycles.recoveryFailed(e.getMessage());
                throw e;
            }
        }
    }

    private void recover(Replayer replayer) {
        try {
            lifecycles.beforeRecovery(new Fence() {
                @Override
                public void lost(String reason) {
                    stopWriting("fenced out: " + reason, 3);
                }

                @Override
                public void bound(WriteDeadline deadline) {
                    writePath.bound(deadline);
                }
            });
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new RecoveryException("reprise: cannot start recovery: " + e.getMessage(), e);
        }
        startOpeningJournal(); // no-op unless it waited for beforeRecovery
        Journal j;
        try {
            j = journal.join();
        } catch (CompletionException e) {
            throw new RecoveryException("reprise: cannot open the journal in " + dataDir.resolve("journal") + ": "
                    + e.getCause().getMessage(), e.getCause());
        }
        SnapshotStore store;
        try {
            store = new SnapshotStore(dataDir.resolve("snapshots"));
        } catch (IOException e) {
            throw new RecoveryException("reprise: cannot open the snapshot directory " + dataDir.resolve("snapshots") + ": " + e, e);
        }
        Optional<ProviderHandle> provider = ProviderDiscovery.find(Thread.currentThread().getContextClassLoader());
        LOG.log(Level.INFO, "reprise: snapshot provider: " + provider.map(ProviderHandle::describe)
                .orElse("none (the whole journal is replayed at every start)"));
        Recovery recovery = new Recovery(j, store, provider.orElse(null), lifecycles, config.skipFailedReplays(),
                config.truncateCorrupt() ? (journal, position) -> cut(journal, position, store) : null,
                config.compareBody(), config.stopOnDivergence(), snapshotSections);
        recovery.replayRecordedValues(config.deterministic()).afterEach(idempotency::replayed);
        RecoveryReport report = recovery.run(replayer);
        j = recovery.journal();
        openJournal = j;
        Durability durability = Durability.of(config.sync(), j::force, config.syncInterval(),
                reason -> stopWriting(reason + "; the next start recovers from what the disk holds", 4));
        if (provider.isPresent()) {
            Journal journalForRetention = j;
            Snapshots s = new Snapshots(store, provider.get(), writePath, config.snapshotInterval(),
                    config.snapshotKeep(), report.snapshotPosition(), lifecycles,
                    config.retainAllJournal() ? oldestKept -> List.of() : journalForRetention::deleteFilesBefore,
                    snapshotSections);
            try {
                s.warmUp();
            } catch (IOException | RuntimeException e) {
                // The first real snapshot calls capture() again and reports what fails there.
                LOG.log(Level.WARNING, "reprise: the snapshot provider's capture() failed when called once before the port"
                        + " opened (to load what it uses); snapshots will try again: " + e);
            }
            openWritePath(j, durability, report.replayed(), s::nudge);
            snapshots = s;
            s.start();
        } else {
            openWritePath(j, durability, 0, () -> { });
        }
        lifecycles.recoveryCompleted(report);
    }

    /**
     * {@code reprise.recovery.truncate-corrupt=true}: cut the journal before the corrupt entry at
     * {@code position} (a copy of everything cut is kept first), set aside the snapshots that covered cut
     * entries, and reopen it. The state in memory already holds exactly the entries before the cut.
     */
    private static Journal cut(Journal journal, long position, SnapshotStore store) throws IOException {
        Path dir = journal.directory();
        journal.close();
        JournalTruncation cut = JournalRepair.truncateAt(dir, position);
        List<Path> moved = store.moveAtOrAfter(position, cut.copyDirectory().resolve("snapshots"));
        LOG.log(Level.WARNING, "reprise: journal cut at position " + position + "; it now ends at " + cut.lastKeptPosition()
                + ". Copies of the cut files" + (moved.isEmpty() ? "" : " and " + moved.size() + " snapshot(s) covering them")
                + " are in " + cut.copyDirectory() + " (see README.txt there to undo)");
        return Journal.open(dir);
    }

    private void openWritePath(Journal j, Durability durability, long sinceSnapshot, Runnable snapshotDue) {
        try {
            writePath.open(j, durability, config.minFree(), sinceSnapshot, snapshotDue);
        } catch (IOException e) {
            throw new RecoveryException("reprise: cannot read the free space of " + j.directory() + ": " + e, e);
        }
    }

    /**
     * This process must not write to the data directory any more (its Kubernetes Lease is lost, or an fsync
     * failed): refuse every journaled request from now on, write nothing more, and exit with {@code status}
     * so that it is restarted, fences in again and recovers from what the disk holds.
     */
    private void stopWriting(String reason, int status) {
        fenced = true;
        Snapshots s = snapshots;
        if (s != null) {
            s.stop();
        }
        writePath.close("this process stopped writing: " + reason);
        System.err.println("reprise: " + reason + "; journaled requests are refused, exiting with status " + status);
        System.exit(status);
    }

    /** Orderly shutdown (SIGTERM, System.exit): a final snapshot, then the journal and the lock are closed. */
    void shutdown() {
        if (shutDown) {
            return;
        }
        shutDown = true;
        Snapshots s = snapshots;
        if (s != null && !fenced) {
            s.stopWithFinalSnapshot();
        }
        if (!fenced) {
            writePath.close("the service is shutting down"); // when fenced, refusals keep saying why
        }
        Journal open = openJournal;
        if (open != null) {
            open.close();
        } else if (journal.isDone() && !journal.isCompletedExceptionally()) {
            journal.join().close();
        }
        try {
            lock.close();
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "reprise: releasing the data directory lock: " + e);
        }
        lifecycles.shutdown();
    }
}
