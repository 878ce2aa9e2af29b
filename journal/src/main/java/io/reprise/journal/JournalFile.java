package io.reprise.journal;

import java.nio.file.Path;
import java.time.LocalDate;

/**
 * One file of the journal: the entries of one day (UTC), as the operator tool lists them.
 *
 * @param path          the file
 * @param cycle         Chronicle's cycle number of the day (days since 1970-01-01)
 * @param day           the day whose entries the file holds
 * @param sizeBytes     the file's size on disk (Chronicle grows files in blocks, so most of a new file is zeros)
 * @param entries       the number of complete records in it (request entries and outcome records), from
 *                      Chronicle's index
 * @param firstPosition the position of its first record, or {@link Journal#NO_POSITION} if it has none
 * @param lastPosition  the position of its last record, or {@link Journal#NO_POSITION} if it has none
 */
public record JournalFile(Path path, int cycle, LocalDate day, long sizeBytes, long entries, long firstPosition,
                          long lastPosition) {
}
