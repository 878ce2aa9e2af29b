package io.reprise.tools;

import io.reprise.journal.IncompleteEntry;
import io.reprise.journal.Journal;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.JournalException;
import io.reprise.journal.JournalFile;
import io.reprise.journal.JournalFiles;
import io.reprise.journal.JournalReader;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** {@code summary DATA_DIR}: what is in the journal and the snapshots, at a glance. Reads only. */
@Command(name = "summary", description = {
        "Show the journal (positions, entry and record counts, entries without an outcome, files, time range, how"
                + " it ends) and the snapshots"
                + " (position, size, creation time, whether each verifies). Reads only; safe on a running service."})
final class SummaryCommand extends DataDirCommand {

    @Override
    int run(DataDirectory data) throws IOException {
        PrintWriter out = out();
        out.println("data directory  " + data.root());
        out.println("writer lock     " + lockState(data));
        out.println();
        journal(data, out);
        out.println();
        snapshots(data, out);
        return RepriseTool.OK;
    }

    private static void journal(DataDirectory data, PrintWriter out) throws IOException {
        out.println("journal         " + data.journal());
        if (!data.hasJournal()) {
            out.println("  (none)");
            return;
        }
        try (JournalFiles journal = JournalFiles.open(data.journal())) {
            List<JournalFile> files = journal.files();
            long first = journal.firstPosition();
            long last = journal.lastPosition();
            long records = files.stream().mapToLong(JournalFile::entries).sum();
            Census census = census(journal);
            out.println("  entries       " + census.entries + (census.complete ? "" : " readable (" + census.problem + ")"));
            out.println("  records       " + records + " (entries and their outcome records)");
            out.println("  outcomes      " + census.withOutcome + " recorded, " + census.missing + " missing (the process"
                    + " stopped before it was recorded: never acknowledged; or it is being written now), "
                    + census.legacy + " entries written before outcomes");
            if (first != Journal.NO_POSITION) {
                out.println("  positions     " + first + " .. " + last);
                out.println("  time range    " + time(census.firstMillis) + " .. " + time(census.lastMillis));
            }
            out.println("  end           " + census.end);
            out.println("  files         " + files.size());
            for (JournalFile file : files) {
                out.printf("    %-16s day %s  %,15d bytes  %,12d records%s%n", file.path().getFileName(), file.day(),
                        file.sizeBytes(), file.entries(), file.entries() == 0 ? ""
                                : "  positions " + file.firstPosition() + " .. " + file.lastPosition());
            }
        } catch (JournalException e) {
            out.println("  cannot be read: " + e.getMessage());
        }
    }

    /** What one pass over the journal finds; it stops at the first record that cannot be read. */
    private static final class Census {
        long entries;
        long withOutcome;
        long missing;
        long legacy;
        long firstMillis = -1;
        long lastMillis = -1;
        boolean complete = true;
        String problem;
        String end = "clean";
    }

    /** Reads every entry, as verify does: the outcome counts need each record's kind. */
    private static Census census(JournalFiles journal) throws IOException {
        Census census = new Census();
        try (JournalReader reader = journal.readFrom(Journal.NO_POSITION)) {
            try {
                for (JournalEntry entry = reader.next(); entry != null; entry = reader.next()) {
                    census.entries++;
                    if (entry.outcome() != null) {
                        census.withOutcome++;
                    } else if (entry.outcomeMissing()) {
                        census.missing++;
                    } else {
                        census.legacy++;
                    }
                    if (census.firstMillis < 0) {
                        census.firstMillis = entry.timeMillis();
                    }
                    census.lastMillis = entry.timeMillis();
                }
                Optional<IncompleteEntry> incomplete = reader.incompleteEntry();
                census.end = incomplete.map(cut -> "an incomplete entry at position " + cut.position() + " (an append"
                        + " begun at " + Instant.ofEpochMilli(cut.startedMillis()) + " and cut off by a crash, or one"
                        + " being written now; it is dropped at the next start)").orElse("clean");
            } catch (JournalException e) {
                census.complete = false;
                census.problem = "then a record that cannot be read: run verify";
                census.end = "cannot be read (" + e.getMessage() + ")";
            }
        }
        return census;
    }

    private static String time(long millis) {
        return millis < 0 ? "?" : Instant.ofEpochMilli(millis).toString();
    }

    private static void snapshots(DataDirectory data, PrintWriter out) throws IOException {
        out.println("snapshots       " + data.snapshots());
        List<SnapshotCheck> checks = SnapshotCheck.all(data);
        if (checks.isEmpty()) {
            out.println("  (none)");
        }
        for (SnapshotCheck check : checks) {
            out.printf("  %-30s position %d  %,d bytes  %s%n", check.file().path().getFileName(), check.file().position(),
                    check.size(), check.header() != null
                            ? "created " + Instant.ofEpochMilli(check.header().createdMillis()) + "  verified"
                            : "NOT VALID: " + check.problem());
            if (check.header() != null) {
                out.printf("    format %d, Reprise sections: %s%n", check.header().formatVersion(), check.describeSections());
            }
        }
    }

    /** Who the lock file names; the lock itself is not touched, so a starting service is never disturbed. */
    private static String lockState(DataDirectory data) {
        if (!Files.isRegularFile(data.lockFile())) {
            return "no lock file (no service has used this directory yet)";
        }
        try {
            String pid = Files.readString(data.lockFile(), StandardCharsets.US_ASCII).trim();
            if (pid.isEmpty()) {
                return "free";
            }
            boolean running = ProcessHandle.of(Long.parseLong(pid)).isPresent();
            return "last taken by pid " + pid + (running ? ", which is running on this machine" : ", not running on this machine");
        } catch (IOException | NumberFormatException e) {
            return "unreadable (" + e + ")";
        }
    }
}
