package io.reprise.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A writer process that dies in the middle of an append, the way a SIGKILL or an OOM kill would stop
 * it: the entry's document is started and half written, Chronicle's write lock is held, and the
 * process halts without running a finally block or shutdown hook. {@link JournalCrashTest} runs it in
 * its own JVM.
 *
 * <p>Arguments: journal directory, Chronicle clock as epoch millis (0 for the real clock), number of
 * complete entries to append first.
 */
public final class CrashingWriter {

    /** The exit status that says the writer got as far as the cut. */
    static final int CRASHED = 42;

    private CrashingWriter() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long clockMillis = Long.parseLong(args[1]);
        int entries = Integer.parseInt(args[2]);

        Journal journal = Journal.open(dir, clockMillis == 0 ? null : new SetTimeProvider(Instant.ofEpochMilli(clockMillis)));
        for (int i = 0; i < entries; i++) {
            journal.append("POST", "/n/" + i, List.of(), ("entry " + i).getBytes(StandardCharsets.UTF_8));
        }
        DocumentContext cut = journal.appender().writingDocument();
        cut.wire().bytes().write("the first half of an entry that never ends".getBytes(StandardCharsets.UTF_8));
        Runtime.getRuntime().halt(CRASHED);
    }
}
