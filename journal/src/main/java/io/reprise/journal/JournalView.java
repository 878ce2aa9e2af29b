package io.reprise.journal;

import java.nio.file.Path;

/**
 * What recovery reads of a journal: the writer's {@link Journal}, or the read-only {@link JournalFiles} that
 * {@code reprise.mode=check} replays without writing anything into the data directory.
 */
public interface JournalView {

    /** The journal directory. */
    Path directory();

    /** See {@link Journal#deletedBefore()}. */
    long deletedBefore();

    /** See {@link Journal#countAfter(long)}: records (requests and outcomes) after {@code position}. */
    long countAfter(long position);

    /** See {@link Journal#readAfter(long)}. */
    JournalReader readAfter(long position);
}
