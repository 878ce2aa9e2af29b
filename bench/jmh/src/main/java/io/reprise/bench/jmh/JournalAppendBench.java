package io.reprise.bench.jmh;

import io.reprise.journal.Journal;
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
 * {@link Journal#append} alone: what the write path pays per journaled request under {@code sync=none}, before the
 * handler runs. One thread, as the write path appends under its order lock. A fresh journal per iteration keeps the
 * disk use of a run bounded (a few hundred MB per iteration at a few million appends a second).
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
public class JournalAppendBench {

    /** Request body size: 0 is the counter's increment; 1024 a typical small JSON command. */
    @Param({"0", "1024"})
    public int bodyBytes;

    private Path dir;
    private Journal journal;
    private byte[] body;

    @Setup(Level.Iteration)
    public void open() throws Exception {
        dir = Entries.newDirectory("jmh-append-");
        journal = Journal.open(dir.resolve("journal"));
        body = new byte[bodyBytes];
    }

    @TearDown(Level.Iteration)
    public void close() throws Exception {
        journal.close();
        Entries.delete(dir);
    }

    @Benchmark
    public long append() {
        return journal.append(Entries.METHOD, Entries.TARGET, Entries.HEADERS, body);
    }
}
