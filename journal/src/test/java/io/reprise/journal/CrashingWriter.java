package io.reprise.journal;

import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * A writer process that dies in the middle of an append, the way a SIGKILL or an OOM kill would stop
 * it: the entry's document is started and the first half of a real entry is written, Chronicle's write
 * lock is held, and the process halts without running a finally block or shutdown hook.
 * {@link JournalCrashTest} runs it in its own JVM.
 *
 * <p>Arguments: journal directory, Chronicle clock as epoch millis (0 for the real clock), number of
 * complete entries to append first. With a fourth argument {@code loop}, it appends forever instead
 * (printing each position) until it is killed from outside. With a fourth argument {@code outcome}, the cut
 * append is the outcome record of a request entry (kind 3) appended right before it.
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
        if (args.length > 3 && args[3].equals("loop")) {
            byte[] body = new byte[2000];
            Arrays.fill(body, (byte) 'x');
            System.out.println("ready");
            System.out.flush();
            for (long i = entries; ; i++) {
                journal.append("POST", "/loop/" + i, List.of(new Header("X-I", Long.toString(i))), body);
                if (i == entries + 1000) {
                    System.out.println("appended 1000");
                    System.out.flush();
                }
            }
        }
        EntryCodec codec = new EntryCodec(1 << 20);
        if (args.length > 3 && args[3].equals("outcome")) {
            long request = journal.appendRequest("POST", "/cut-outcome", List.of(), null);
            int length = codec.encodeOutcome(request, Outcome.answered(200, Outcome.digest(new byte[12], 0, 12)));
            DocumentContext cut = journal.appender().writingDocument();
            cut.wire().bytes().write(codec.buffer(), 0, length / 2);
            Runtime.getRuntime().halt(CRASHED);
        }
        int length = codec.encode(System.currentTimeMillis(), "POST", "/cut", List.of(),
                "the body of an entry whose append never finished".getBytes(StandardCharsets.UTF_8));
        DocumentContext cut = journal.appender().writingDocument();
        cut.wire().bytes().write(codec.buffer(), 0, length / 2);
        Runtime.getRuntime().halt(CRASHED);
    }
}
