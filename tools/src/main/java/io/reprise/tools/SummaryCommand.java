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
        "Show the journal (positions, entry count, files, time range, how it ends) and the snapshots"
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
            long count = files.stream().mapToLong(JournalFile::entries).sum();
            out.println("  entries       " + count);
            if (first != Journal.NO_POSITION) {
                out.println("  positions     " + first + " .. " + last);
                out.println("  time range    " + timeOf(journal, first) + " .. " + timeOf(journal, last));
            }
            out.println("  end           " + end(journal, last));
            out.println("  files         " + files.size());
            for (JournalFile file : files) {
                out.printf("    %-16s day %s  %,15d bytes  %,12d entries%s%n", file.path().getFileName(), file.day(),
                        file.sizeBytes(), file.entries(), file.entries() == 0 ? ""
                                : "  positions " + file.firstPosition() + " .. " + file.lastPosition());
            }
        } catch (JournalException e) {
            out.println("  cannot be read: " + e.getMessage());
        }
    }

    private static String timeOf(JournalFiles journal, long position) throws IOException {
        try (JournalReader reader = journal.readFrom(position)) {
            JournalEntry entry = reader.next();
            return entry == null ? "?" : Instant.ofEpochMilli(entry.timeMillis()).toString();
        } catch (JournalException e) {
            return "? (entry " + position + " cannot be read: run verify)";
        }
    }

    private static String end(JournalFiles journal, long last) throws IOException {
        try (JournalReader reader = journal.readFrom(last == Journal.NO_POSITION ? Journal.NO_POSITION : last)) {
            while (reader.next() != null) {
                // at most the last entry (or every entry of an empty-looking journal)
            }
            Optional<IncompleteEntry> incomplete = reader.incompleteEntry();
            return incomplete.map(cut -> "an incomplete entry at position " + cut.position() + " (an append begun at "
                    + Instant.ofEpochMilli(cut.startedMillis()) + " and cut off by a crash, or one being written now;"
                    + " it is dropped at the next start)").orElse("clean");
        } catch (JournalException e) {
            return "cannot be read (" + e.getMessage() + ")";
        }
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
