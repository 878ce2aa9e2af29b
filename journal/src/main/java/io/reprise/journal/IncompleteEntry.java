package io.reprise.journal;

import java.nio.file.Path;
import java.time.Instant;

/**
 * An entry (or an outcome record) that a crash cut short at the very end of the journal: its append had started writing
 * when the process died, so it never completed and was never acknowledged. A {@link JournalReader}
 * that reaches it drops it (it is not returned, and the next append takes its position) and reports
 * it here, so that the caller can tell a journal that simply ends from one whose last write was cut.
 *
 * @param position      the position the entry would have had
 * @param file          the journal file holding what was written of it
 * @param fileOffset    the byte offset in that file where its Chronicle document begins
 * @param startedMillis the time stamp in the part that was written: when the append began; for an outcome record,
 *                      which carries no time stamp, the file's last-modified time
 */
public record IncompleteEntry(long position, Path file, long fileOffset, long startedMillis) {

    /** A sentence for logs and the operator tool. */
    public String describe() {
        return "The journal entry at position " + position + " in " + file + " (byte " + fileOffset + ") is"
                + " incomplete: its append began at " + Instant.ofEpochMilli(startedMillis) + " and was cut off"
                + " by a crash before it finished. It was never acknowledged and is dropped; the next append"
                + " takes its place.";
    }
}
