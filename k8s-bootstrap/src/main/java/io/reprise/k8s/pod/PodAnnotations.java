package io.reprise.k8s.pod;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.reprise.k8s.KubernetesApi;
import io.reprise.k8s.time.Ticker;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The journal and snapshot positions as annotations on this process's pod, so that {@code kubectl get pod -o yaml}
 * shows how far the journal is and what the next restart will replay:
 *
 * <pre>
 * reprise.io/journal-position:  position of the last journaled entry (at the last snapshot or recovery)
 * reprise.io/snapshot-position: journal position the newest snapshot covers
 * reprise.io/snapshot-time:     when that snapshot was written (UTC, ISO-8601)
 * </pre>
 *
 * <p>Rate-limited: at most one update per interval. An update asked for sooner is merged with the ones after it and
 * written when the interval is up, so the last values always land. Updates are JSON merge patches of the pod's
 * annotations only ({@code patch pods}); they run on the given executor, never on the caller's thread. The interval is
 * measured on the given {@link Ticker}, which the executor's delays must also be measured on (one from
 * {@link Ticker#newScheduler}).
 */
public final class PodAnnotations {

    public static final String JOURNAL_POSITION = "reprise.io/journal-position";
    public static final String SNAPSHOT_POSITION = "reprise.io/snapshot-position";
    public static final String SNAPSHOT_TIME = "reprise.io/snapshot-time";

    private static final Logger LOG = System.getLogger("io.reprise.k8s");

    private final KubernetesClient client;
    private final ThisPod pod;
    private final Duration interval;
    private final ScheduledExecutorService executor;
    private final Ticker ticker;

    private final Map<String, String> pending = new LinkedHashMap<>(); // guarded by this
    private boolean scheduled;                                         // guarded by this
    private long lastWriteNanos;                                       // guarded by this
    private boolean written;                                           // guarded by this

    public PodAnnotations(KubernetesClient client, ThisPod pod, Duration interval, ScheduledExecutorService executor, Ticker ticker) {
        this.client = client;
        this.pod = pod;
        this.interval = interval;
        this.executor = executor;
        this.ticker = ticker;
    }

    /** The annotations after a snapshot that covers {@code snapshotPosition}, written at {@code snapshotMillis}. */
    public static Map<String, String> afterSnapshot(long snapshotPosition, long snapshotMillis, long journalPosition) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put(JOURNAL_POSITION, Long.toString(journalPosition));
        values.put(SNAPSHOT_POSITION, Long.toString(snapshotPosition));
        values.put(SNAPSHOT_TIME, Instant.ofEpochMilli(snapshotMillis).toString());
        return values;
    }

    /** Asks for these annotations to be set; written now, or when the interval since the last write is up. */
    public synchronized void update(Map<String, String> values) {
        pending.putAll(values);
        if (scheduled) {
            return;
        }
        scheduled = true;
        long wait = written ? interval.toNanos() - (ticker.nanoTime() - lastWriteNanos) : 0;
        if (wait <= 0) {
            executor.execute(this::write);
        } else {
            executor.schedule(this::write, wait, TimeUnit.NANOSECONDS);
        }
    }

    /** Writes what is pending now, on the calling thread (orderly shutdown). Never throws. */
    public void flush() {
        write();
    }

    private void write() {
        Map<String, String> values;
        synchronized (this) {
            scheduled = false;
            if (pending.isEmpty()) {
                return;
            }
            values = new LinkedHashMap<>(pending);
            pending.clear();
            lastWriteNanos = ticker.nanoTime();
            written = true;
        }
        try {
            client.pods().inNamespace(pod.namespace()).withName(pod.name())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), mergePatch(values));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "reprise: could not annotate pod " + pod.name() + " with " + values + ": "
                    + KubernetesApi.describe(e));
        }
    }

    static String mergePatch(Map<String, String> values) {
        StringBuilder json = new StringBuilder("{\"metadata\":{\"annotations\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : values.entrySet()) {
            if (!first) {
                json.append(',');
            }
            first = false;
            json.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
        }
        return json.append("}}}").toString();
    }

    private static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
