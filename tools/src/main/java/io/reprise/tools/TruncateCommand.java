package io.reprise.tools;

import io.reprise.journal.DataDirLock;
import io.reprise.journal.DataDirLockedException;
import io.reprise.journal.JournalRepair;
import io.reprise.journal.JournalTruncation;
import io.reprise.snapshot.store.SnapshotStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code truncate --at POSITION DATA_DIR}: cuts the journal right before POSITION, after copying what it
 * cuts, with the data directory locked so that no service can start on it meanwhile.
 */
@Command(name = "truncate", description = {
        "Remove the journal entry at POSITION and every later one, as when a corrupt entry stops the service."
                + " The journal files the cut touches are first copied, byte for byte, to DATA_DIR/journal-cut-<time>/;"
                + " snapshots at or after POSITION, which cover removed entries, are moved there too.",
        "Refuses to run while a service holds DATA_DIR/reprise.lock (exit status 3)."})
final class TruncateCommand extends DataDirCommand {

    @Option(names = "--at", required = true, paramLabel = "POSITION",
            description = "The first position to remove, e.g. the one a corrupt-entry error names.")
    long position;

    @Override
    int run(DataDirectory data) throws IOException {
        if (!data.hasJournal()) {
            throw new ToolException("There is no journal in " + data.root() + "; nothing to truncate.");
        }
        PrintWriter out = out();
        try (DataDirLock lock = lock(data)) {
            JournalTruncation cut = JournalRepair.truncateAt(data.journal(), position);
            List<Path> movedSnapshots = moveSnapshotsAtOrAfter(data, cut);
            out.println("Truncated the journal in " + data.journal() + " at position " + position + ".");
            out.println("  it now ends at   " + (cut.lastKeptPosition() < 0 ? "no entry (it is empty)"
                    : "position " + cut.lastKeptPosition()));
            out.println("  copies first in  " + cut.copyDirectory());
            for (Path copy : cut.copiedFiles()) {
                out.println("                   " + copy.getFileName());
            }
            if (cut.rewrittenFile() != null) {
                out.println("  rewritten        " + cut.rewrittenFile().getFileName() + " (its entries before the cut)");
            }
            for (Path removed : cut.removedFiles()) {
                out.println("  removed          " + removed.getFileName());
            }
            for (Path moved : movedSnapshots) {
                out.println("  snapshot moved   " + moved.getFileName() + " (covers removed entries) to "
                        + moved.getParent());
            }
            out.println("To undo: stop the service and follow " + cut.copyDirectory().resolve("README.txt") + ".");
        }
        return RepriseTool.OK;
    }

    /**
     * Takes the data directory's writer lock as the agent does, so that no service starts on the journal while it
     * changes; a service holding it is exit status 3, naming its pid.
     */
    private static DataDirLock lock(DataDirectory data) throws IOException {
        try {
            return DataDirLock.acquire(data.root());
        } catch (DataDirLockedException e) {
            throw new ToolException("The data directory " + data.root() + " is in use by another process (pid "
                    + e.holderPid() + ", which holds " + e.lockFile() + "). Stop that service first; the journal must"
                    + " not change under it.", RepriseTool.IN_USE);
        }
    }

    /**
     * A snapshot at or after the cut holds the effect of entries that are gone, and recovery could not
     * read the journal after it: it goes with the cut files, where it can be put back from.
     */
    private static List<Path> moveSnapshotsAtOrAfter(DataDirectory data, JournalTruncation cut) throws IOException {
        if (!data.hasSnapshots()) {
            return List.of();
        }
        return new SnapshotStore(data.snapshots()).moveAtOrAfter(cut.position(),
                cut.copyDirectory().resolve(DataDirectory.SNAPSHOTS));
    }
}
