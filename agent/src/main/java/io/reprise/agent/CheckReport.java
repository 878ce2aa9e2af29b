package io.reprise.agent;

import io.reprise.agent.config.Config;
import io.reprise.agent.lifecycle.Lifecycles;
import io.reprise.agent.recovery.Recovery;
import io.reprise.agent.recovery.RecoveryReport;
import io.reprise.agent.recovery.Replayer;
import io.reprise.agent.snapshot.ProviderDiscovery;
import io.reprise.agent.snapshot.ProviderHandle;
import io.reprise.journal.Journal;
import io.reprise.journal.JournalFiles;
import io.reprise.snapshot.store.SnapshotStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code reprise.mode=check}: replays a data directory (a copy of production's) through this release of the
 * application and says whether every entry answers as it did when it was journaled, before that release is deployed
 * (what Temporal's {@code WorkflowReplayer} does for workflows, here for HTTP services).
 *
 * <p>It writes nothing into the directory: the journal is read through the read-only {@link JournalFiles} view, no
 * writer lock is taken and no stale Chronicle lock is freed, snapshots are only read, nothing is snapshotted. Every
 * divergence is counted and reported ({@code reprise.recovery.on-divergence} does not apply; {@code
 * reprise.recovery.compare} does); entries without an outcome that throw are counted as failed. The port never opens.
 *
 * <p>Exit status: 0 when nothing diverged or failed, 1 when something did, 2 when the directory could not be replayed
 * at all (no journal, a corrupt entry, a snapshot the provider cannot restore and no way to reset).
 */
final class CheckReport {

    static final int SAME = 0;
    static final int DIVERGED = 1;
    static final int CANNOT_REPLAY = 2;

    private CheckReport() {
        throw new AssertionError("CheckReport cannot be instantiated");
    }

    /**
     * Replays, prints the report on standard error and ends the process with the status above. It halts rather than
     * exits: this runs inside the server's start (Spring Boot: inside the context refresh, whose monitor its shutdown
     * hook would wait for), and there is nothing to close, since nothing was opened for writing.
     */
    static void runAndExit(Config config, Replayer replayer) {
        PrintStream out = System.err;
        int status = run(config, replayer, out);
        out.flush();
        System.out.flush();
        Runtime.getRuntime().halt(status);
    }

    static int run(Config config, Replayer replayer, PrintStream out) {
        Path dir = config.dataDirectory();
        RecoveryReport report;
        try (JournalFiles journal = JournalFiles.open(dir.resolve("journal"))) {
            Path snapshotDir = dir.resolve("snapshots");
            SnapshotStore snapshots = Files.isDirectory(snapshotDir) ? new SnapshotStore(snapshotDir) : null;
            Optional<ProviderHandle> provider = ProviderDiscovery.find(Thread.currentThread().getContextClassLoader());
            report = new Recovery(journal, snapshots, provider.orElse(null), new Lifecycles(), true, null,
                    config.compareBody(), false).replayRecordedValues(config.deterministic()).run(replayer);
        } catch (Exception e) {
            out.println("reprise check: cannot replay " + dir + ": " + e.getMessage());
            out.println("reprise check: CANNOT REPLAY (exit status " + CANNOT_REPLAY + ")");
            return CANNOT_REPLAY;
        }
        out.println("reprise check: " + dir + ": replayed " + report.replayed() + " entries "
                + (report.snapshotPosition() == Journal.NO_POSITION ? "from the start of the journal"
                        : "after the snapshot at journal position " + report.snapshotPosition())
                + " (compare=" + (config.compareBody() ? "body" : "status") + "): " + report.diverged() + " diverged, "
                + report.skipped() + " failed, " + report.withoutOutcome() + " without an outcome");
        if (!report.divergences().isEmpty()) {
            out.println("reprise check: " + (report.diverged() > report.divergences().size()
                    ? "the first " + report.divergences().size() + " divergences:" : "divergences:"));
            for (String d : report.divergences()) {
                out.println("  " + d);
            }
        }
        if (report.diverged() == 0 && report.skipped() == 0) {
            out.println("reprise check: SAME: every entry answered as it did live (exit status " + SAME + ")");
            return SAME;
        }
        out.println("reprise check: DIVERGED (exit status " + DIVERGED + ")");
        return DIVERGED;
    }
}
