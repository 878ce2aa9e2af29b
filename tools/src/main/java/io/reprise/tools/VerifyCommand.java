package io.reprise.tools;

import io.reprise.journal.Journal;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.JournalException;
import io.reprise.journal.JournalFiles;
import io.reprise.journal.JournalReader;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code verify DATA_DIR}: every journal entry's checksum and format, every snapshot end to end, and
 * that the journal still holds what each valid snapshot needs. Exit 0 when all is well, 1 with every
 * problem named (the first one first) otherwise. Reads only.
 */
@Command(name = "verify", description = {
        "Check every journal entry (checksum, format, nothing hidden behind a damaged header) and every snapshot"
                + " (header and payload checksums), and that the journal still has the entries after each snapshot.",
        "Exit status 0 if all is well; 1 with each problem named by file and position. Reads only."})
final class VerifyCommand extends DataDirCommand {

    @Override
    int run(DataDirectory data) throws IOException {
        PrintWriter out = out();
        List<String> problems = new ArrayList<>();
        long first = Journal.NO_POSITION;
        long last = Journal.NO_POSITION;
        boolean journalReadable = false;
        if (data.hasJournal()) {
            try (JournalFiles journal = JournalFiles.open(data.journal());
                 JournalReader reader = journal.readFrom(Journal.NO_POSITION)) {
                long count = 0;
                for (JournalEntry entry = reader.next(); entry != null; entry = reader.next()) {
                    if (count++ == 0) {
                        first = entry.position();
                    }
                    last = entry.position();
                }
                journalReadable = true;
                // A snapshot may cover an outcome record, so the range it must lie in is that of every record.
                first = count == 0 ? Journal.NO_POSITION : journal.firstPosition();
                last = count == 0 ? Journal.NO_POSITION : journal.lastPosition();
                out.println("ok    journal " + data.journal() + ": " + count + " entries"
                        + (count == 0 ? "" : ", positions " + first + " .. " + last) + ", every checksum matches");
                reader.incompleteEntry().ifPresent(cut -> out.println("note  " + cut.describe()
                        + " (If a service is writing to this directory right now, it may be the entry in progress.)"));
            } catch (JournalException e) {
                problems.add("journal: " + e.getMessage());
            }
        } else {
            out.println("ok    no journal in " + data.root());
        }

        for (SnapshotCheck check : SnapshotCheck.all(data)) {
            long position = check.file().position();
            if (check.problem() != null) {
                problems.add("snapshot " + check.file().path() + " (position " + position + "): " + check.problem());
            } else if (journalReadable && !journalHolds(position, first, last)) {
                problems.add("snapshot " + check.file().path() + " covers journal position " + position + ", but the journal"
                        + (first == Journal.NO_POSITION ? " is empty" : " holds positions " + first + " .. " + last)
                        + ": the entries to replay after it are not there (deleted or cut), so it cannot be used.");
            } else {
                out.println("ok    snapshot " + check.file().path().getFileName() + " (position " + position + ", "
                        + check.size() + " bytes; Reprise sections: " + check.describeSections() + ")");
            }
        }

        for (String problem : problems) {
            out.println("FAIL  " + problem);
        }
        out.println(problems.isEmpty() ? "verify: all is well" : "verify: " + problems.size() + " problem(s)");
        return problems.isEmpty() ? RepriseTool.OK : RepriseTool.PROBLEM;
    }

    /** Recovery reads the journal after a snapshot's position, so that position must be an entry in it. */
    private static boolean journalHolds(long position, long first, long last) {
        return first != Journal.NO_POSITION && position >= first && position <= last;
    }
}
