package io.reprise.bench.jmh;

import io.reprise.journal.Journal;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.JournalReader;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@link JournalReader#next} over a journal of counter increments: the journal's share of replay (decode and
 * checksum check included; the handlers' share is not). From the start again when the end is reached.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {
        "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
        "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
        "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED"})
public class JournalReadBench {

    @Param({"1000000"})
    public int entries;

    private Path dir;
    private Journal journal;
    private JournalReader reader;

    @Setup(Level.Trial)
    public void fill() throws Exception {
        dir = Entries.newDirectory("jmh-read-");
        journal = Journal.open(dir.resolve("journal"));
        byte[] body = new byte[0];
        for (int i = 0; i < entries; i++) {
            journal.append(Entries.METHOD, Entries.TARGET, Entries.HEADERS, body);
        }
        reader = journal.readAfter(Journal.NO_POSITION);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        reader.close();
        journal.close();
        Entries.delete(dir);
    }

    @Benchmark
    public JournalEntry next() {
        JournalEntry entry = reader.next();
        if (entry == null) {
            reader.close();
            reader = journal.readAfter(Journal.NO_POSITION);
            entry = reader.next();
        }
        return entry;
    }
}
