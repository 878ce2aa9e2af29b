package io.reprise.bench.jmh;

import io.reprise.journal.Journal;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Appends followed by one fsync per group: the disk's share of {@code sync=always} (group commit: every request
 * in the group waits for one fsync) and {@code sync=batch}. Scores are per entry, so group sizes compare directly.
 *
 * <p>The fsync is {@link Journal#force()}, the call the agent's sync modes make: {@code fdatasync} on the queue's
 * current cycle file, which on Linux writes back the pages dirtied through Chronicle's memory mapping. This is the
 * floor under any sync mode: the journal cannot be durable for less.
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
public class JournalSyncBench {

    private static final byte[] BODY = new byte[0];

    private Path dir;
    private Journal journal;

    @Setup(Level.Iteration)
    public void open() throws Exception {
        dir = Entries.newDirectory("jmh-sync-");
        journal = Journal.open(dir.resolve("journal"));
        journal.append(Entries.METHOD, Entries.TARGET, Entries.HEADERS, BODY); // creates today's queue file
        journal.force(); // opens the journal's channel on it, outside the measurement
    }

    @TearDown(Level.Iteration)
    public void close() throws Exception {
        journal.close();
        Entries.delete(dir);
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public void appendSyncEach() throws IOException {
        group(1);
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public void appendSyncPer16() throws IOException {
        group(16);
    }

    @Benchmark
    @OperationsPerInvocation(256)
    public void appendSyncPer256() throws IOException {
        group(256);
    }

    private void group(int size) throws IOException {
        for (int i = 0; i < size; i++) {
            journal.append(Entries.METHOD, Entries.TARGET, Entries.HEADERS, BODY);
        }
        journal.force();
    }
}
