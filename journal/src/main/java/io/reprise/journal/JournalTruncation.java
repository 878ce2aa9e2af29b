package io.reprise.journal;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link JournalRepair#truncateAt} did.
 *
 * @param position         the position the journal was cut at: this entry and every later one are gone
 * @param lastKeptPosition the journal's last position now, or {@link Journal#NO_POSITION} if it is empty
 * @param copyDirectory    where the files the cut touched were copied, byte for byte, before anything changed
 * @param copiedFiles      the copies in {@code copyDirectory}, oldest day first
 * @param removedFiles     the journal files deleted (days after the cut, and the cut day if nothing of it was kept)
 * @param rewrittenFile    the journal file of the cut day, rewritten to end before {@code position}; null if
 *                         nothing of that day was kept
 */
public record JournalTruncation(long position, long lastKeptPosition, Path copyDirectory, List<Path> copiedFiles,
                                List<Path> removedFiles, Path rewrittenFile) {

    public JournalTruncation {
        copiedFiles = List.copyOf(copiedFiles);
        removedFiles = List.copyOf(removedFiles);
    }
}
