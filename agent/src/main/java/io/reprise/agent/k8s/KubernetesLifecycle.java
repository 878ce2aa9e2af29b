package io.reprise.agent.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.reprise.agent.lifecycle.Fence;
import io.reprise.agent.lifecycle.Lifecycle;
import io.reprise.agent.recovery.RecoveryReport;
import io.reprise.k8s.KubernetesApi;
import io.reprise.k8s.KubernetesSettings;
import io.reprise.k8s.PodEnvironment;
import io.reprise.k8s.lease.LeaseFence;
import io.reprise.k8s.lease.LeaseName;
import io.reprise.k8s.pod.PodAnnotations;
import io.reprise.k8s.pod.RecoveryEvents;
import io.reprise.k8s.pod.ThisPod;
import io.reprise.k8s.time.Ticker;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The agent in a Kubernetes pod.
 *
 * <ul>
 *   <li>{@link #beforeRecovery}: read this pod, name the Lease after the data volume's claim, wait until it is this
 *       process's (saying so in the log and as an Event while another live process holds it), then renew it. If it
 *       is lost, {@link Fence#lost} refuses every journaled request at once and ends the process with status 3.</li>
 *   <li>Recovery started, completed, failed: Events on the pod.</li>
 *   <li>Each snapshot: the journal and snapshot positions as pod annotations, rate-limited.</li>
 *   <li>Orderly shutdown: the last annotations, then the Lease is released for the next pod.</li>
 * </ul>
 *
 * <p>Events and annotations go out on one background thread, so that neither recovery nor snapshots wait on the
 * API server; only a failed recovery and a lost Lease wait (bounded) for their Event, since the process is about to
 * end.
 */
final class KubernetesLifecycle implements Lifecycle {

    private static final Logger LOG = System.getLogger("io.reprise.k8s");
    /** How long the end of the process waits for its last Event or annotation to reach the API server. */
    private static final Duration LAST_WORDS = Duration.ofSeconds(3);

    private final KubernetesSettings settings;
    private final PodEnvironment environment;
    private final Path dataDir;
    private final Ticker ticker;
    private final ScheduledExecutorService background;

    private volatile KubernetesClient client;
    private volatile RecoveryEvents events;
    private volatile PodAnnotations annotations;
    private volatile LeaseFence lease;
    private volatile boolean lost;

    KubernetesLifecycle(KubernetesSettings settings, PodEnvironment environment, Path dataDir) {
        this(settings, environment, dataDir, Ticker.system());
    }

    /** With every wait, deadline and interval measured on {@code ticker} (a test's manual one). */
    KubernetesLifecycle(KubernetesSettings settings, PodEnvironment environment, Path dataDir, Ticker ticker) {
        this.settings = settings;
        this.environment = environment;
        this.dataDir = dataDir;
        this.ticker = ticker;
        ClassLoader agentLoader = KubernetesLifecycle.class.getClassLoader();
        this.background = ticker.newScheduler(1, r -> {
            Thread t = new Thread(r, "reprise-k8s");
            t.setDaemon(true);
            t.setContextClassLoader(agentLoader);
            return t;
        });
    }

    @Override
    public void beforeRecovery(Fence fence) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        // The client, and the threads it and the Lease start, look things up through the context class loader: the
        // agent's, never the application's (C8).
        thread.setContextClassLoader(KubernetesLifecycle.class.getClassLoader());
        try {
            Duration retry = settings.timings().retryPeriod();
            Duration requestTimeout = Duration.ofMillis(Math.max(500, Math.min(5_000, settings.timings().renewDeadline().toMillis() / 2)));
            client = KubernetesApi.connect(environment, requestTimeout);
            ThisPod pod = ThisPod.fetch(client, environment, retry, ticker);
            events = new RecoveryEvents(client, pod);
            annotations = new PodAnnotations(client, pod, settings.annotationsEvery(), background, ticker);
            LeaseName name = LeaseName.of(settings.leaseName(), pod.pod(), dataDir);
            LOG.log(Level.INFO, "reprise: data volume fenced by Lease " + pod.namespace() + "/" + name.name() + " (" + name.source() + ")");
            LeaseFence fenceOfLease = new LeaseFence(client, pod.namespace(), name.name(), pod.name() + "_" + pod.uid(),
                    settings.timings(), new LeaseFence.Listener() {
                        @Override
                        public void waiting(String leaseName, String holder) {
                            post(() -> events.waitingForLease(leaseName, holder));
                        }

                        @Override
                        public void acquired(String leaseName, String previousHolder) {
                            post(() -> events.leaseAcquired(leaseName, previousHolder));
                        }
                    }, ticker);
            lease = fenceOfLease;
            fenceOfLease.acquire();
            fence.bound(fenceOfLease::expired); // the write path checks the renew deadline itself, before every append
            fenceOfLease.startRenewing(reason -> {
                lost = true;
                post(() -> events.leaseLost(reason));
                fence.lost(reason); // refuses journaled requests at once; ends the process
            });
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    @Override
    public void recoveryStarted(long snapshotPosition, long entriesToReplay) {
        post(() -> events.recoveryStarted(snapshotPosition, entriesToReplay));
    }

    @Override
    public void recoveryCompleted(RecoveryReport report) {
        post(() -> events.recoveryCompleted(report.replayed(), Duration.ofNanos(report.restoreNanos() + report.replayNanos()),
                report.replayRate(), report.lastPosition()));
        if (report.diverged() > 0) {
            post(() -> events.replayDiverged(report.diverged(), report.replayed(), report.firstDivergence()));
        }
        PodAnnotations a = annotations;
        if (a != null) {
            Map<String, String> values = new LinkedHashMap<>(); // a position not known yet (-1) is left out
            if (report.lastPosition() >= 0) {
                values.put(PodAnnotations.JOURNAL_POSITION, Long.toString(report.lastPosition()));
            }
            if (report.snapshotPosition() >= 0) {
                values.put(PodAnnotations.SNAPSHOT_POSITION, Long.toString(report.snapshotPosition()));
            }
            a.update(values);
        }
    }

    @Override
    public void recoveryFailed(String reason) {
        if (events != null) {
            post(() -> events.recoveryFailed(reason));
            drain();
        }
    }

    @Override
    public void snapshotTaken(long position, long createdMillis, long journalPosition) {
        PodAnnotations a = annotations;
        if (a != null) {
            a.update(PodAnnotations.afterSnapshot(position, createdMillis, journalPosition));
        }
    }

    @Override
    public void shutdown() {
        if (lost) {
            drain(); // the LeaseLost Event; writes were refused before it was posted
            return;
        }
        PodAnnotations a = annotations;
        if (a != null && !background.isShutdown()) {
            background.execute(a::flush); // the final snapshot's positions
        }
        drain();
        LeaseFence l = lease;
        if (l != null) {
            l.release();
        }
        KubernetesClient c = client;
        if (c != null) {
            c.close();
        }
    }

    /** Runs {@code call} on the background thread; a failure is logged, never thrown. */
    private void post(Supplier<?> call) {
        if (background.isShutdown()) {
            return;
        }
        background.execute(() -> {
            try {
                call.get();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "reprise: could not post a Kubernetes Event: " + KubernetesApi.describe(e));
            }
        });
    }

    /** Lets what is queued reach the API server, for at most {@link #LAST_WORDS}. */
    private void drain() {
        background.shutdown();
        try {
            if (!background.awaitTermination(LAST_WORDS.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.log(Level.DEBUG, "reprise: gave up waiting for the Kubernetes API after " + LAST_WORDS.toMillis() + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
