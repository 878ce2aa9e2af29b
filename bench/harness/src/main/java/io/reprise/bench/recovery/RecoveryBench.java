package io.reprise.bench.recovery;

import io.reprise.bench.Json;
import io.reprise.bench.Layout;
import io.reprise.bench.Plan;
import io.reprise.bench.load.Wrk;
import io.reprise.bench.proc.Commands;
import io.reprise.bench.proc.Http;
import io.reprise.bench.proc.Ports;
import io.reprise.bench.proc.Service;
import io.reprise.journal.Journal;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.JournalReader;
import io.reprise.journal.Outcome;
import io.reprise.snapshot.store.SnapshotFile;
import io.reprise.snapshot.store.SnapshotStore;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Restart time and replay rate against journal length, without snapshots and with a snapshot every
 * {@link Plan#snapshotEvery()} entries, and the bytes a journaled request takes on disk.
 *
 * <p>First the agent itself journals a few thousand increments sent by wrk; that data directory gives the entry
 * every larger journal is made of and checks the layout {@link JournalFiller} writes: each request is followed by
 * its outcome record, the status the counter sent and the digest of the value it answered (the n-th increment
 * answers n), and the agent's snapshot at position P (the position of an outcome record) holds the number of
 * entries up to P. Then for each length the journal is written directly, and the
 * counter with the agent is started on it {@link Plan#restartRuns()} times per layout, alternating: the snapshot
 * directory is moved aside for the runs without snapshots. Each run is killed with SIGKILL once its port is open and
 * its value checked, so nothing is added to the journal and no snapshot is taken between runs. Replay compares
 * every entry's outcome with the recorded one ({@code reprise.recovery.compare=status}, the agent's default; the
 * body's digest is computed on replay either way); a run in which an entry diverged or had no outcome fails, since
 * the journal would then not be what the agent writes.
 */
public final class RecoveryBench {

    static final Pattern DONE = Pattern.compile("recovery done: snapshot position (-?\\d+), replayed (\\d+) entries in "
            + "([\\d.,]+) ms \\(([\\d.,]+) entries/s\\)");
    static final Pattern RESTORED = Pattern.compile("restored in ([\\d.,]+) ms");
    /** On the recovery done line: what replay found that the agent itself did not write. */
    static final Pattern DIVERGED = Pattern.compile(", (\\d+) (diverged|without an outcome|failed and skipped)");

    /** The outcome comparison of every restart, as the agent is told it. */
    static final String COMPARE = "status";

    /** The agent settings of every restart: no snapshot may be taken while we measure. */
    static final String[] NO_NEW_SNAPSHOTS = {"snapshot.interval=24h", "snapshot.every=2000000000",
            "recovery.compare=" + COMPARE};

    /**
     * @param restartMs process start to port accepting a connection
     * @param replayMs  the agent's own figure for the replay, as it logs it
     * @param restoreMs the agent's figure for reading and restoring the snapshot, 0 without one
     */
    public record Restart(long entries, boolean snapshots, int run, double restartMs, long replayed, double replayMs,
                          double replayRate, double restoreMs) {
    }

    /** The journal written for one length; bytes as the files' sizes and as the blocks they occupy. */
    public record Journaled(long entries, long snapshotEntries, double writeSeconds, long apparentBytes,
                            long allocatedBytes) {
    }

    /**
     * The agent-written data directory the others are modelled on.
     *
     * @param outcome          the first entry's outcome as the agent recorded it, described
     * @param outcomesChecked  entries whose recorded outcome was checked to be what {@link JournalFiller} writes
     */
    public record Template(String method, String target, List<String> headers, int bodyBytes, long entries,
                           long apparentBytes, long allocatedBytes, int snapshotsChecked, String outcome,
                           long outcomesChecked) {
    }

    /**
     * @param outcomes whether the journals hold an outcome record after every request (false in results written
     *                 before outcomes)
     * @param compare  {@code reprise.recovery.compare} of the restarts
     */
    public record Results(long snapshotEvery, Template template, List<Journaled> journals, List<Restart> restarts,
                          List<String> commands, boolean outcomes, String compare) {
    }

    private final Plan plan;
    private final Layout layout;

    public RecoveryBench(Plan plan, Layout layout) {
        this.plan = plan;
        this.layout = layout;
    }

    public Results run() throws Exception {
        Path base = layout.work().resolve("recovery");
        deleteRecursively(base);
        JournalEntry[] template = new JournalEntry[1];
        Template t = template(base.resolve("template"), template);
        int status = template[0].outcome().status();
        System.out.printf("recovery: template from the agent: %d entries of %s %s with headers %s, outcomes like %s;"
                        + " %d snapshot(s) checked%n", t.entries(), t.method(), t.target(), t.headers(), t.outcome(),
                t.snapshotsChecked());

        List<Journaled> journals = new ArrayList<>();
        List<Restart> restarts = new ArrayList<>();
        for (long n : plan.journalLengths()) {
            Path data = base.resolve("n" + n).resolve("data");
            JournalFiller.Filled filled = JournalFiller.fill(data, template[0], status, n, plan.snapshotEvery());
            long apparent = du(data.resolve("journal"), true);
            long allocated = du(data.resolve("journal"), false);
            journals.add(new Journaled(n, filled.snapshotEntries(), filled.seconds(), apparent, allocated));
            System.out.printf("recovery: wrote %d entries in %.1f s (newest snapshot covers %d), %.1f bytes/entry"
                            + " (request + outcome record) on disk%n",
                    n, filled.seconds(), filled.snapshotEntries(), (double) allocated / n);
            for (int r = 1; r <= plan.restartRuns(); r++) {
                for (boolean snapshots : new boolean[] {false, true}) {
                    useSnapshots(data, snapshots);
                    Restart restart = restart(data, n, snapshots ? filled.snapshotEntries() : 0, snapshots, r);
                    restarts.add(restart);
                    System.out.printf("  %,d entries, %s: port open after %.0f ms, replayed %d in %.0f ms (%.0f entries/s)%n",
                            n, snapshots ? "snapshots" : "no snapshot", restart.restartMs(), restart.replayed(),
                            restart.replayMs(), restart.replayRate());
                }
            }
            deleteRecursively(data.getParent()); // a 10 M-entry journal takes about a gigabyte
        }
        Results results = new Results(plan.snapshotEvery(), t, journals, restarts, List.of(
                CounterLaunch.show(CounterLaunch.withAgent(layout, "$PORT", "$WORK/data", NO_NEW_SNAPSHOTS))), true, COMPARE);
        Json.write(layout.results().resolve("recovery.json"), results);
        return results;
    }

    /**
     * Lets the agent journal increments from wrk for a second, with a snapshot every few hundred, stops it (SIGTERM,
     * so it takes a final snapshot), and reads back what it wrote: every entry must carry the outcome
     * {@link JournalFiller#counterOutcome} gives for its ordinal, and every snapshot the count of the entries up to
     * its position (an outcome record's, as the agent takes it).
     */
    private Template template(Path dir, JournalEntry[] first) throws Exception {
        Path data = dir.resolve("data");
        int port = Ports.free();
        Service s = Service.start("template", CounterLaunch.withAgent(layout, Integer.toString(port), data.toString(),
                "snapshot.every=500", "snapshot.interval=1h"), layout.work().resolve("logs/recovery-template.log"));
        long value;
        try {
            s.awaitHttp(port, Duration.ofSeconds(60));
            Wrk.run(layout, port, "post", 1, 1);
            value = Http.getLong(port, "/counter");
        } finally {
            s.stop(Duration.ofSeconds(30));
        }
        TreeMap<Long, Long> ordinal = new TreeMap<>();
        try (Journal journal = Journal.open(data.resolve("journal")); JournalReader reader = journal.readAfter(Journal.NO_POSITION)) {
            JournalEntry e;
            long n = 0;
            while ((e = reader.next()) != null) {
                ordinal.put(e.position(), ++n);
                if (first[0] == null) {
                    first[0] = e;
                }
                if (e.outcome() == null) {
                    throw new IOException("the agent's journal entry " + n + " at position " + e.position() + " has no outcome"
                            + " record (" + e + "); the recovery step writes one after every request, as the agent did when"
                            + " this harness was written: see " + layout.work().resolve("logs/recovery-template.log"));
                }
                Outcome expected = JournalFiller.counterOutcome(e.outcome().status(), first[0].outcome().recorded(), n);
                if (!e.outcome().equals(expected) || e.outcome().status() != first[0].outcome().status()) {
                    throw new IOException("the agent's journal entry " + n + " at position " + e.position() + " records the outcome "
                            + e.outcome().describe() + ", but JournalFiller writes " + expected.describe() + " for it (and the"
                            + " first entry's status " + first[0].outcome().status() + " for all): its outcomes no longer match the agent's");
                }
            }
        }
        if (first[0] == null || ordinal.size() != value) {
            throw new IOException("the agent journaled " + ordinal.size() + " entries but the counter says " + value + "; see "
                    + layout.work().resolve("logs/recovery-template.log"));
        }
        List<SnapshotFile> snapshots = new SnapshotStore(data.resolve("snapshots")).list();
        if (snapshots.isEmpty()) {
            throw new IOException("the agent took no snapshot in " + data + "; the snapshot layout cannot be checked");
        }
        for (SnapshotFile f : snapshots) {
            long held;
            try (InputStream in = f.openVerified()) {
                held = new DataInputStream(in).readLong();
            }
            // The agent snapshots at the position of the last record under the order: an outcome record's, whose
            // request is the entry at or before it.
            Map.Entry<Long, Long> upTo = ordinal.floorEntry(f.position());
            Long expected = upTo == null ? null : upTo.getValue();
            if (expected == null || held != expected) {
                throw new IOException("the agent's snapshot " + f.path() + " at position " + f.position() + " holds " + held
                        + " but " + expected + " entries lead up to that position: JournalFiller's layout no longer matches the agent's");
            }
        }
        JournalEntry e = first[0];
        return new Template(e.method(), e.target(), e.headers().stream().map(h -> h.name() + ": " + h.value()).toList(),
                e.body().length, value, du(data.resolve("journal"), true), du(data.resolve("journal"), false), snapshots.size(),
                e.outcome().describe(), ordinal.size());
    }

    private static void useSnapshots(Path data, boolean on) throws IOException {
        Path live = data.resolve("snapshots");
        Path aside = data.resolve("snapshots-aside");
        if (on) {
            if (Files.exists(aside)) {
                deleteRecursively(live); // the agent made an empty one while the real one was aside
                Files.move(aside, live);
            }
        } else if (Files.exists(live) && !Files.exists(aside)) {
            Files.move(live, aside);
        }
    }

    private Restart restart(Path data, long entries, long snapshotEntries, boolean snapshots, int run) throws Exception {
        int port = Ports.free();
        String name = "restart-n" + entries + (snapshots ? "-snapshots-" : "-journal-") + run;
        Service s = Service.start(name, CounterLaunch.withAgent(layout, Integer.toString(port), data.toString(), NO_NEW_SNAPSHOTS),
                layout.work().resolve("logs").resolve(name + ".log"));
        double ms;
        long value;
        try {
            ms = s.awaitHttp(port, Duration.ofMinutes(15));
            value = Http.getLong(port, "/counter");
        } finally {
            s.kill();
        }
        String log = s.log();
        Done done = done(s, name, "in a journal JournalFiller wrote", ": its requests or outcomes no longer match what the counter answers");
        long replayed = done.replayed();
        if (value != entries || replayed != entries - snapshotEntries) {
            throw new IOException(name + ": expected the value " + entries + " after replaying " + (entries - snapshotEntries)
                    + " entries, got the value " + value + " after replaying " + replayed + "; see " + s.logFile());
        }
        Matcher restored = RESTORED.matcher(log);
        double restoreMs = restored.find() ? number(restored.group(1)) : 0;
        return new Restart(entries, snapshots, run, ms, replayed, done.ms(), done.rate(), restoreMs);
    }

    /** What the agent's {@code recovery done} line says: entries replayed, in how many ms, at what rate. */
    record Done(long replayed, double ms, double rate) {
    }

    /**
     * The {@code recovery done} line of {@code s}'s log.
     *
     * @throws IOException if there is none, or if it counts entries that diverged, had no outcome or failed: the
     *     {@code where} and {@code meaning} of the message say what that means for the measurement
     */
    static Done done(Service s, String name, String where, String meaning) throws IOException {
        String log = s.log();
        Matcher done = DONE.matcher(log);
        if (!done.find()) {
            throw new IOException("no 'recovery done' line in " + s.logFile());
        }
        int end = log.indexOf('\n', done.end());
        String doneLine = log.substring(done.start(), end < 0 ? log.length() : end);
        Matcher unexpected = DIVERGED.matcher(doneLine);
        if (unexpected.find()) {
            throw new IOException(name + ": the agent's recovery found " + unexpected.group(1) + " entries " + unexpected.group(2)
                    + " " + where + " (\"" + doneLine.trim() + "\")" + meaning + "; see " + s.logFile());
        }
        return new Done(Long.parseLong(done.group(2)), number(done.group(3)), number(done.group(4)));
    }

    static double number(String s) {
        return Double.parseDouble(s.replace(",", ""));
    }

    /** Bytes under {@code dir}: the files' sizes, or the disk blocks they occupy. */
    static long du(Path dir, boolean apparent) throws IOException, InterruptedException {
        List<String> cmd = apparent ? List.of("du", "-s", "-B1", "--apparent-size", dir.toString())
                : List.of("du", "-s", "-B1", dir.toString());
        return Long.parseLong(Commands.check(cmd, 60).trim().split("\\s+")[0]);
    }

    /** Deletes {@code dir} and everything under it, if it exists. */
    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
