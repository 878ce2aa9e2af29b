package io.reprise.journal;

import java.nio.file.Path;

/**
 * An entry in the journal is damaged: its checksum does not match, its contents cannot be decoded, or
 * its header is so damaged that Chronicle cannot find it. The entries before it are intact; nothing at
 * or after it can be trusted to be replayed.
 *
 * <p>The message says what to do: truncate the journal at {@link #position()} (the agent's
 * {@value #TRUNCATE_OPTION} option, or the operator tool's {@code truncate} command, both through
 * {@link JournalRepair}), or restore the journal from a backup.
 */
public final class JournalCorruptException extends JournalException {

    /** The agent option that truncates the journal at a corrupt entry at the next start. */
    public static final String TRUNCATE_OPTION = "reprise.recovery.truncate-corrupt=true";

    private static final long serialVersionUID = 1L;

    private final long position;
    private final transient Path file;

    JournalCorruptException(String problem, long position, Path file) {
        super("Journal entry at position " + position + " in " + file + " is corrupt: " + problem
                + ". The entries before this position are intact. To start from them, discarding this entry and"
                + " everything after it (the files it cuts are copied to " + dataDirectory(file) + "/journal-cut-<time>"
                + " first): start once with " + TRUNCATE_OPTION + ", or stop the service and run"
                + " `java -jar reprise-tools.jar truncate --at " + position + " " + dataDirectory(file) + "`."
                + " Or restore the journal from a backup.");
        this.position = position;
        this.file = file;
    }

    /** The position of the damaged entry. */
    public long position() {
        return position;
    }

    /** The journal file that holds the damaged entry. */
    public Path file() {
        return file;
    }

    /** {@code <data>} for a file in {@code <data>/journal/}, or for that directory itself. */
    private static Path dataDirectory(Path file) {
        if (file == null) {
            return Path.of("<data dir>");
        }
        Path journal = file.getFileName() != null && file.getFileName().toString().endsWith(QueueFormat.CYCLE_FILE_SUFFIX)
                ? file.getParent() : file;
        Path data = journal == null ? null : journal.getParent();
        return data == null ? Path.of("<data dir>") : data;
    }
}
