package io.reprise.agent.recovery;

import io.reprise.agent.bridge.Determinism;
import io.reprise.agent.bridge.Tape;
import io.reprise.agent.lifecycle.Lifecycle;
import io.reprise.agent.snapshot.ProviderHandle;
import io.reprise.agent.snapshot.SnapshotSection;
import io.reprise.journal.Journal;
import io.reprise.journal.JournalCorruptException;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.JournalException;
import io.reprise.journal.JournalReader;
import io.reprise.journal.JournalView;
import io.reprise.journal.Outcome;
import io.reprise.snapshot.store.CorruptSnapshotException;
import io.reprise.snapshot.store.ReprisePart;
import io.reprise.snapshot.store.SnapshotFile;
import io.reprise.snapshot.store.SnapshotStore;
import io.reprise.snapshot.store.UnsupportedSnapshotFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Brings the state back before the port opens (C4): restore the newest valid snapshot through the provider,
 * then replay every later journal entry, in journal order, through the adapter's {@link Replayer}.
 *
 * <p>Each entry's outcome as replayed is compared with the one recorded live (C9): a difference is a divergence,
 * logged with its position, or, with {@code reprise.recovery.on-divergence=stop}, the end of recovery. A request
 * that threw live and throws the same way again did what it did live, so replay goes on: no poison pills. Entries
 * without a recorded outcome fall under {@code reprise.recovery.on-error} when they throw, as do entries that cannot
 * be replayed at all.
 *
 * <p>Snapshots that fail their checksum, or whose restore throws, are skipped for the next older one and a
 * longer replay (C6). Without a provider the whole journal is replayed.
 *
 * <p>The agent's own state in a snapshot's sections goes to its {@link SnapshotSection}s before the provider's
 * restore: each gets its section, or a reset when the file has none, for every snapshot tried, and a reset when
 * none could be restored. Sections no contributor names are ignored (written by a newer release).
 */
public final class Recovery {

    private static final Logger LOG = System.getLogger("io.reprise.recovery");

    /** Cuts the journal before a corrupt entry and returns it reopened ({@code reprise.recovery.truncate-corrupt}). */
    @FunctionalInterface
    public interface Truncator {
        Journal truncate(Journal journal, long position) throws IOException;
    }

    private JournalView journal;
    private final SnapshotStore snapshots;
    private final ProviderHandle provider; // null: no provider, replay everything
    private final Lifecycle lifecycle;
    private final boolean skipFailures;
    private final Truncator truncator; // null: a corrupt entry stops recovery
    private final List<SnapshotSection> sections;
    private final boolean compareBody;      // reprise.recovery.compare=body
    private boolean recordedValues;         // reprise.deterministic=true: replay hands back recorded values
    private final boolean stopOnDivergence; // reprise.recovery.on-divergence=stop
    private java.util.function.BiConsumer<JournalEntry, Outcome> afterEach = (entry, outcome) -> { };
    private int restoresFailed;        // calls of provider.restore that threw
    private long diverged;
    private long withoutOutcome;
    private final List<String> divergences = new ArrayList<>();
    private static final int MAX_DIVERGENCE_LINES = 100;

    /**
     * @param skipFailures {@code reprise.recovery.on-error=skip}: a replayed request whose handler throws is
     *                     logged and skipped instead of stopping recovery
     * @param truncator    {@code reprise.recovery.truncate-corrupt=true}: how to cut the journal at a corrupt
     *                     entry; null to stop there instead
     */
    public Recovery(JournalView journal, SnapshotStore snapshots, ProviderHandle provider, Lifecycle lifecycle,
                    boolean skipFailures, Truncator truncator) {
        this(journal, snapshots, provider, lifecycle, skipFailures, truncator, false, false);
    }

    /**
     * @param compareBody      {@code reprise.recovery.compare=body}: outcomes must also agree on the response body's
     *                         digest, not only on the status
     * @param stopOnDivergence {@code reprise.recovery.on-divergence=stop}: the first divergence fails recovery
     */
    public Recovery(JournalView journal, SnapshotStore snapshots, ProviderHandle provider, Lifecycle lifecycle,
                    boolean skipFailures, Truncator truncator, boolean compareBody, boolean stopOnDivergence) {
        this(journal, snapshots, provider, lifecycle, skipFailures, truncator, compareBody, stopOnDivergence, List.of());
    }

    /**
     * @param sections the agent's own state, restored from the snapshot's sections before the provider's restore
     */
    public Recovery(JournalView journal, SnapshotStore snapshots, ProviderHandle provider, Lifecycle lifecycle,
                    boolean skipFailures, Truncator truncator, boolean compareBody, boolean stopOnDivergence,
                    List<SnapshotSection> sections) {
        this.sections = List.copyOf(sections);
        this.compareBody = compareBody;
        this.stopOnDivergence = stopOnDivergence;
        this.journal = journal;
        this.snapshots = snapshots;
        this.provider = provider;
        this.lifecycle = lifecycle;
        this.skipFailures = skipFailures;
        this.truncator = truncator;
    }

    /**
     * {@code reprise.deterministic=true}: hand each replayed entry the clock, UUID and random values recorded with
     * its outcome ({@link Determinism#arm}), and count a replay that needs more than were recorded as diverged.
     */
    public Recovery replayRecordedValues(boolean on) {
        this.recordedValues = on;
        return this;
    }

    /**
     * Called after each request entry was replayed (not for agent records, nor for entries that could not be replayed):
     * with the outcome it had live, or, when the journal holds none, the one replay gave. The Idempotency-Key table
     * is rebuilt this way.
     */
    public Recovery afterEach(java.util.function.BiConsumer<JournalEntry, Outcome> applied) {
        this.afterEach = applied;
        return this;
    }

    /** The journal after recovery: a new one if recovery cut it at a corrupt entry. */
    public Journal journal() {
        return (Journal) journal;
    }

    public RecoveryReport run(Replayer replayer) {
        long restoreStart = System.nanoTime();
        long position = restoreNewestValidSnapshot();
        long restoreNanos = System.nanoTime() - restoreStart;
        long deletedBefore = journal.deletedBefore();
        if (position == Journal.NO_POSITION && deletedBefore != Journal.NO_POSITION) {
            throw new RecoveryException("reprise: no snapshot could be restored, and retention already deleted the journal "
                    + "before position " + deletedBefore + " in " + journal.directory() + ": replaying what is left would give "
                    + "a partial state, so the port stays closed. Make a snapshot readable again (see the warnings above, "
                    + "and reprise-tools summary), or start from an empty data directory on purpose.", null);
        }

        if (position == Journal.NO_POSITION && restoresFailed > 0) {
            resetAfterFailedRestores();
        }

        long toReplay = journal.countAfter(position);
        LOG.log(Level.INFO, "reprise: recovery started: " + (position == Journal.NO_POSITION
                ? "no snapshot, replaying the journal from its start"
                : "snapshot at journal position " + position + " restored in " + millis(restoreNanos) + " ms, replaying the entries after it")
                + " (" + toReplay + " journal records: each request and its outcome are two)");
        lifecycle.recoveryStarted(position, toReplay);

        long replayStart = System.nanoTime();
        long replayed = 0;
        long skipped = 0;
        long last = position;
        JournalReader reader = openReaderAfter(position);
        try {
            JournalEntry entry;
            while ((entry = reader.next()) != null) {
                if (entry.outcomeMissing()) {
                    withoutOutcome++;
                }
                Outcome replay;
                Tape tape = recordedValues ? tapeOf(entry) : null;
                Determinism.arm(tape);
                try {
                    replay = replayer.replay(entry);
                } catch (Exception e) {
                    skipped += failed(entry, e.toString(), e);
                    replayed++;
                    last = entry.position();
                    continue;
                } finally {
                    Determinism.arm(null);
                }
                Outcome live = entry.outcome();
                String shortfall = tape == null ? null : tape.shortfall();
                if (live != null) {
                    if (!live.sameAs(replay, compareBody) || shortfall != null) {
                        diverged++;
                        diverged(entry, live, replay, shortfall);
                    }
                } else if (replay.threw()) {
                    // Nothing recorded to compare with (the process died before the outcome, or an older journal):
                    // a throwing handler is a failed replay, as it always was.
                    String thrown = replay.exceptionClass() + (replay.message() == null ? "" : ": " + replay.message());
                    skipped += failed(entry, thrown, null);
                }
                if (!entry.agentRecord()) {
                    afterEach.accept(entry, live != null ? live : replay);
                }
                replayed++;
                last = entry.position();
            }
        } catch (JournalCorruptException e) {
            reader.close(); // before the journal is closed for the cut; closing twice is harmless
            cutAt(e);
        } finally {
            reader.close();
        }
        long replayNanos = System.nanoTime() - replayStart;
        RecoveryReport report = new RecoveryReport(position, replayed, last, restoreNanos, replayNanos, diverged,
                withoutOutcome, skipped, divergences);
        LOG.log(Level.INFO, String.format("reprise: recovery done: snapshot position %d, replayed %d entries in %.1f ms "
                        + "(%.0f entries/s), last position %d%s%s%s", report.snapshotPosition(), report.replayed(),
                replayNanos / 1e6, report.replayRate(), report.lastPosition(),
                diverged == 0 ? "" : ", " + diverged + " diverged",
                withoutOutcome == 0 ? "" : ", " + withoutOutcome + " without an outcome",
                skipped == 0 ? "" : ", " + skipped + " failed and skipped"));
        return report;
    }

    /**
     * An entry that could not be replayed, or that threw with no recorded outcome to compare with: stop
     * ({@code reprise.recovery.on-error=stop}) or log it and go on ({@code skip}). Returns 1 when skipped.
     */
    private int failed(JournalEntry entry, String thrown, Exception cause) {
        String what = "replaying journal entry at position " + entry.position() + " (" + entry.method() + " "
                + entry.target() + ") failed: " + thrown;
        if (!skipFailures) {
            throw new RecoveryException("reprise: " + what + ". The port stays closed. Fix the handler, inspect "
                    + "the entry (reprise-tools dump), or start with reprise.recovery.on-error=skip to skip it", cause);
        }
        LOG.log(Level.WARNING, "reprise: " + what + "; skipped (reprise.recovery.on-error=skip)", cause);
        return 1;
    }

    /**
     * The recorded values of {@code entry} to hand back while it is replayed, or null when it has none (recorded with
     * {@code reprise.deterministic=false}, by an older version, or without an outcome): its handler then takes live
     * values, as before.
     */
    private Tape tapeOf(JournalEntry entry) {
        Outcome live = entry.outcome();
        if (live == null || live.recorded().length == 0) {
            return null;
        }
        try {
            return Tape.replaying(live.recorded(), entry.timeMillis());
        } catch (IllegalArgumentException e) {
            LOG.log(Level.WARNING, "reprise: the recorded values of journal entry at position " + entry.position() + " ("
                    + entry.method() + " " + entry.target() + ") cannot be read: " + e.getMessage()
                    + "; it is replayed with live clock and random values");
            return null;
        }
    }

    /**
     * Replay answered differently from live (C9), or asked for more UUIDs or random values than were recorded
     * ({@code shortfall}, or null): say where and how; stop if the operator asked for that.
     */
    private void diverged(JournalEntry entry, Outcome live, Outcome replay, String shortfall) {
        String where = "journal position " + entry.position() + " (" + entry.method() + " " + entry.target() + "): "
                + (live.sameAs(replay, compareBody) ? "" : "live " + live.describe(compareBody) + ", replay "
                + replay.describe(compareBody) + (shortfall == null ? "" : "; "))
                + (shortfall == null ? "" : shortfall);
        String what = "replay diverged at " + where;
        if (divergences.size() < RecoveryReport.DETAILED) {
            divergences.add(where);
        }
        if (stopOnDivergence) {
            throw new RecoveryException("reprise: " + what + ". The port stays closed (reprise.recovery.on-divergence=stop). "
                    + "Inspect the entry (reprise-tools dump), find what the handler now does differently, or start with "
                    + "reprise.recovery.on-divergence=warn to serve the state this replay gives", null);
        }
        if (diverged <= MAX_DIVERGENCE_LINES) {
            LOG.log(Level.WARNING, "reprise: " + what + (diverged == MAX_DIVERGENCE_LINES
                    ? "; further divergences are counted in the recovery line, not logged one by one" : ""));
        }
    }

    /** A corrupt entry before the end: stop, or, when the operator allows it, cut the journal there. */
    private void cutAt(JournalCorruptException e) {
        if (truncator == null) {
            throw new RecoveryException("reprise: " + e.getMessage() + " The port stays closed.", e);
        }
        LOG.log(Level.WARNING, "reprise: " + e.getMessage() + " Cutting the journal there, as "
                + "reprise.recovery.truncate-corrupt=true allows; a copy of everything cut is kept.");
        try {
            journal = truncator.truncate((Journal) journal, e.position());
        } catch (IOException | RuntimeException failed) {
            throw new RecoveryException("reprise: cutting the journal in " + journal.directory() + " at position "
                    + e.position() + " failed: " + failed + ". Nothing was served; see docs/operations.md", failed);
        }
    }

    private JournalReader openReaderAfter(long position) {
        try {
            return journal.readAfter(position);
        } catch (JournalException e) {
            throw new RecoveryException("reprise: the snapshot covers journal position " + position
                    + " but the journal in " + journal.directory() + " cannot be read from there: " + e.getMessage()
                    + ". Refusing to start with a partial state.", e);
        }
    }

    /** Returns the position the restored snapshot covers, or NO_POSITION if none was restored. */
    private long restoreNewestValidSnapshot() {
        if (snapshots == null) {
            return Journal.NO_POSITION; // check mode on a data directory that has no snapshot directory
        }
        List<SnapshotFile> files;
        try {
            files = snapshots.list();
        } catch (IOException e) {
            throw new RecoveryException("reprise: cannot list snapshots in " + snapshots.directory() + ": " + e, e);
        }
        if (files.isEmpty()) {
            return Journal.NO_POSITION;
        }
        if (provider == null) {
            LOG.log(Level.WARNING, "reprise: " + files.size() + " snapshot(s) in " + snapshots.directory()
                    + " but no SnapshotProvider is registered; replaying the whole journal instead");
            return Journal.NO_POSITION;
        }
        for (SnapshotFile file : files) {
            ReprisePart part;
            try {
                file.verify();
                part = file.readPart();
            } catch (UnsupportedSnapshotFormatException e) {
                throw new RecoveryException("reprise: " + e.getMessage() + ". It was written by a newer Reprise; "
                        + "run that version, or move the file away to fall back to older snapshots.", e);
            } catch (IOException e) {
                LOG.log(Level.WARNING, "reprise: skipping snapshot " + file.path() + ": " + e.getMessage()
                        + "; trying an older one and a longer replay");
                continue;
            }
            if (!restoreSections(file, part)) {
                continue;
            }
            try (InputStream in = file.openVerified()) {
                provider.restore(in);
                return file.position();
            } catch (CorruptSnapshotException e) {
                LOG.log(Level.WARNING, "reprise: skipping snapshot " + file.path() + ": " + e.getMessage());
            } catch (Exception e) {
                restoresFailed++;
                LOG.log(Level.WARNING, "reprise: " + provider.describe() + ".restore failed on " + file.path() + ": " + e
                        + "; trying an older snapshot and a longer replay", e);
            }
        }
        sections.forEach(SnapshotSection::reset); // whatever the files tried left: the journal is replayed from empty
        LOG.log(Level.WARNING, "reprise: no usable snapshot among " + files.size() + " in " + snapshots.directory()
                + "; replaying the whole journal");
        return Journal.NO_POSITION;
    }

    /**
     * Hands every contributor its section of {@code part}, or a reset when the file has none, so that each holds
     * what this snapshot held. Returns false, having logged why, when one of them fails.
     */
    private boolean restoreSections(SnapshotFile file, ReprisePart part) {
        for (SnapshotSection contributor : sections) {
            Optional<ReprisePart.Section> section = part.section(contributor.name());
            try {
                if (section.isPresent()) {
                    contributor.restore(section.get().version(), new ByteArrayInputStream(section.get().bytes()));
                } else {
                    contributor.reset();
                }
            } catch (Exception e) {
                LOG.log(Level.WARNING, "reprise: restoring section \"" + contributor.name() + "\" of snapshot "
                        + file.path() + " failed: " + e + "; trying an older snapshot and a longer replay", e);
                return false;
            }
        }
        return true;
    }

    /**
     * Every restore threw, so the whole journal is about to be replayed onto whatever those calls left behind: reset
     * the state first, or refuse to start when the provider cannot.
     */
    private void resetAfterFailedRestores() {
        try {
            provider.reset();
            LOG.log(Level.WARNING, "reprise: " + provider.describe() + ".restore failed on every snapshot (" + restoresFailed
                    + " call(s)); the state was reset through reset() and the whole journal is replayed onto it");
        } catch (UnsupportedOperationException e) {
            throw new RecoveryException("reprise: " + provider.describe() + ".restore failed on every snapshot in "
                    + snapshots.directory() + " (see the warnings above), and the provider does not implement "
                    + "SnapshotProvider.reset(): the state those failed calls left behind cannot be trusted, so the "
                    + "journal is not replayed onto it and the port stays closed. Fix restore (the snapshots are "
                    + "untouched), implement reset(), or move the snapshots out of the directory to replay the whole "
                    + "journal onto a fresh state.", e);
        } catch (Exception e) {
            throw new RecoveryException("reprise: " + provider.describe() + ".reset() failed after every restore had "
                    + "failed: " + e + ". The port stays closed.", e);
        }
    }

    private static String millis(long nanos) {
        return String.format("%.1f", nanos / 1e6);
    }
}
