package io.reprise.k8s.lease;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseList;
import io.reprise.k8s.KubernetesApi;
import io.reprise.k8s.KubernetesException;
import io.reprise.k8s.time.Ticker;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Holds a {@code coordination.k8s.io/v1} Lease for this process, so that no two processes write one data volume
 * (C7), also across nodes, where the lock file in the data directory cannot see the other process.
 *
 * <p>The protocol is the one Kubernetes' own leader election uses, with writes guarded by the Lease's
 * {@code resourceVersion} (a write based on a stale read fails with 409 Conflict, so two pods can never both
 * believe they took the Lease):
 * <ul>
 *   <li><b>Acquire</b> ({@link #acquire}, blocking): create the Lease if it does not exist; take it if it has no
 *       holder, if the holder is this very pod (a restarted container: same pod UID), or if it has not changed for
 *       its {@code leaseDurationSeconds} <em>as measured by this process's own clock</em> since it first saw that
 *       version. Otherwise another live process holds it: wait and look again every retry period.
 *       Measuring expiry from one's own observation, never from the holder's {@code renewTime}, makes the
 *       protocol indifferent to clock skew between nodes.</li>
 *   <li><b>Renew</b> ({@link #startRenewing}): every retry period, write a new {@code renewTime}. If the Lease was
 *       taken or deleted meanwhile, it is lost at once. If no renewal has succeeded for the renew deadline
 *       (measured from the start of the last successful request), it is lost: the process fences itself while
 *       other pods still wait out the longer Lease duration.</li>
 *   <li><b>Release</b> ({@link #release}, orderly shutdown): clear the holder, so the next pod need not wait.</li>
 * </ul>
 * API calls: {@code get}, {@code create}, {@code update} on {@code leases}, nothing else. Every duration is measured,
 * and every wait made, on the fence's {@link Ticker}.
 */
public final class LeaseFence implements AutoCloseable {

    private static final Logger LOG = System.getLogger("io.reprise.k8s");
    private static final Duration STILL_WAITING_EVERY = Duration.ofSeconds(30);

    /** What the fence tells its owner while acquiring. */
    public interface Listener {

        /** Another live process holds the Lease; called when first seen and whenever the holder changes. */
        default void waiting(String leaseName, String holder) {
        }

        /** The Lease is now this process's; {@code previousHolder} is null for a new or free Lease. */
        default void acquired(String leaseName, String previousHolder) {
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final String identity;
    private final LeaseTimings timings;
    private final Listener listener;
    private final Ticker ticker;

    private final AtomicBoolean lost = new AtomicBoolean();
    private volatile boolean stopped;
    private volatile String lostReason;         // why the Lease was lost, for expired()
    private volatile Lease lease;                 // as the API server last returned it while we held it
    private volatile long lastRenewStartedNanos;  // start of the last request that renewed or took the Lease
    private volatile String lastError = "none";
    private volatile long renewalInFlightSince;   // ticker.nanoTime() when the pending renewal started, 0 if none
    private ScheduledExecutorService scheduler;
    private Consumer<String> onLost;

    /**
     * @param identity who holds it: must be the same for a restarted container of this pod and differ for any
     *                 other pod, e.g. {@code <pod name>_<pod UID>}
     * @param ticker   where time is read, waited for and scheduled: {@link Ticker#system()} outside tests
     */
    public LeaseFence(KubernetesClient client, String namespace, String name, String identity, LeaseTimings timings, Listener listener,
                      Ticker ticker) {
        this.client = Objects.requireNonNull(client);
        this.namespace = Objects.requireNonNull(namespace);
        this.name = Objects.requireNonNull(name);
        this.identity = Objects.requireNonNull(identity);
        this.timings = Objects.requireNonNull(timings);
        this.listener = listener == null ? new Listener() { } : listener;
        this.ticker = Objects.requireNonNull(ticker);
    }

    public String name() {
        return name;
    }

    public String identity() {
        return identity;
    }

    /**
     * Null while this process may write under the Lease; otherwise why not: it was lost or released, or the last
     * successful renewal started longer than the renew deadline ago. Unlike the watchdog, which runs every few hundred
     * milliseconds on a thread of its own, this reads the clock at the call, so that a request appended right after a
     * long GC pause is refused even though the watchdog has not run yet. Cheap: a clock read and volatile reads.
     */
    public String expired() {
        if (lease == null) {
            return "Lease " + namespace + "/" + name + " is not held yet";
        }
        String why = lostReason; // written before the lost flag, so set whenever the flag is
        if (why != null) {
            return why;
        }
        if (stopped) {
            return "Lease " + namespace + "/" + name + " was released";
        }
        long since = ticker.nanoTime() - lastRenewStartedNanos;
        if (since > timings.renewDeadline().toNanos()) {
            return "Lease " + namespace + "/" + name + " was last renewed " + TimeUnit.NANOSECONDS.toMillis(since)
                    + " ms ago, longer than the renew deadline of " + timings.renewDeadline().toMillis() + " ms";
        }
        return null;
    }

    /** Whether this process holds the Lease: acquired, and neither lost nor released. */
    public boolean isHeld() {
        return lease != null && !lost.get() && !stopped;
    }

    /**
     * Blocks until this process holds the Lease. Network and server errors are retried every retry period.
     *
     * @throws KubernetesException  when the API server refuses the requests (e.g. the Role lacks a permission)
     * @throws InterruptedException when interrupted while waiting
     */
    public void acquire() throws InterruptedException {
        String observedVersion = null;
        long observedSince = 0;
        String reportedHolder = null;
        long lastReport = 0;
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                Lease current = leases().withName(name).get();
                long requestStarted = ticker.nanoTime();
                if (current == null) {
                    Lease created = leases().resource(fresh()).create();
                    taken(created, requestStarted, null);
                    return;
                }
                String holder = holderOf(current);
                boolean free = holder == null;
                boolean ours = identity.equals(holder);
                if (!free && !ours) {
                    String version = current.getMetadata().getResourceVersion();
                    long now = ticker.nanoTime();
                    if (!Objects.equals(version, observedVersion)) {
                        observedVersion = version;
                        observedSince = now;
                    }
                    long validNanos = TimeUnit.SECONDS.toNanos(durationOf(current));
                    if (now - observedSince < validNanos) {
                        if (!holder.equals(reportedHolder) || now - lastReport >= STILL_WAITING_EVERY.toNanos()) {
                            LOG.log(Level.INFO, "reprise: waiting for Lease " + namespace + "/" + name + ": held by " + holder
                                    + ", a live holder (it renewed within its " + durationOf(current) + " s); this pod "
                                    + "takes it when the holder releases it or stops renewing, and does not open its port before");
                            if (!holder.equals(reportedHolder)) {
                                listener.waiting(name, holder);
                            }
                            reportedHolder = holder;
                            lastReport = now;
                        }
                        ticker.sleep(timings.retryPeriod());
                        continue;
                    }
                    LOG.log(Level.INFO, "reprise: Lease " + namespace + "/" + name + " held by " + holder + " was not renewed for "
                            + durationOf(current) + " s: taking it over");
                }
                long updateStarted = ticker.nanoTime();
                Lease taken = leases().resource(takeOver(current, holder, ours)).update();
                taken(taken, updateStarted, ours ? null : holder);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409) {
                    continue; // someone else wrote the Lease between our read and our write: read again
                }
                if (KubernetesApi.isPermanent(e)) {
                    throw new KubernetesException("cannot acquire Lease " + namespace + "/" + name + ": " + KubernetesApi.describe(e), e);
                }
                LOG.log(attempt % 10 == 1 ? Level.WARNING : Level.DEBUG, "reprise: cannot reach the Kubernetes API to acquire Lease "
                        + namespace + "/" + name + " (attempt " + attempt + "): " + KubernetesApi.describe(e)
                        + "; retrying every " + timings.retryPeriod().toMillis() + " ms");
                ticker.sleep(timings.retryPeriod());
            }
        }
    }

    private void taken(Lease taken, long requestStarted, String previousHolder) {
        lease = taken;
        lastRenewStartedNanos = requestStarted;
        LOG.log(Level.INFO, "reprise: acquired Lease " + namespace + "/" + name + " as " + identity
                + (previousHolder == null ? "" : " (taken over from " + previousHolder + ")"));
        listener.acquired(name, previousHolder);
    }

    /**
     * Renews the Lease every retry period from now on. {@code onLost} is called once, on a thread of the fence,
     * as soon as the Lease was taken, deleted, or not renewed within the renew deadline; it may not return (it
     * typically ends the process).
     */
    public synchronized void startRenewing(Consumer<String> onLost) {
        if (lease == null) {
            throw new IllegalStateException("acquire() the Lease before renewing it");
        }
        if (scheduler != null) {
            return;
        }
        this.onLost = Objects.requireNonNull(onLost);
        AtomicInteger threads = new AtomicInteger();
        scheduler = ticker.newScheduler(2, r -> {
            Thread t = new Thread(r, "reprise-lease-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        long retry = timings.retryPeriod().toMillis();
        scheduler.scheduleWithFixedDelay(this::renew, retry, retry, TimeUnit.MILLISECONDS);
        // A separate task on a second thread: a renewal stuck in a request must not stop the deadline from firing.
        long check = Math.max(10, Math.min(250, timings.renewDeadline().toMillis() / 20));
        scheduler.scheduleAtFixedRate(this::checkDeadline, check, check, TimeUnit.MILLISECONDS);
    }

    private void renew() {
        if (lost.get() || stopped) {
            return;
        }
        long started = ticker.nanoTime();
        renewalInFlightSince = started;
        try {
            Lease renewed = leases().resource(new LeaseBuilder(lease).editSpec()
                    .withHolderIdentity(identity)
                    .withLeaseDurationSeconds(timings.durationSeconds())
                    .withRenewTime(now())
                    .endSpec().build()).update();
            if (!lost.get()) {
                lease = renewed;
                lastRenewStartedNanos = started;
            }
        } catch (KubernetesClientException e) {
            if (lost.get() || stopped) {
                return;
            }
            if (e.getCode() == 409) {
                lookAfterConflict();
            } else if (e.getCode() == 404) {
                lose("was deleted by someone else");
            } else {
                lastError = KubernetesApi.describe(e);
                LOG.log(Level.WARNING, "reprise: renewing Lease " + namespace + "/" + name + " failed: " + lastError
                        + "; retrying (this process fences itself if no renewal succeeds within "
                        + timings.renewDeadline().toMillis() + " ms of the last one)");
            }
        } catch (RuntimeException e) {
            if (!lost.get() && !stopped) {
                lastError = e.toString();
                LOG.log(Level.WARNING, "reprise: renewing Lease " + namespace + "/" + name + " failed: " + e, e);
            }
        } finally {
            renewalInFlightSince = 0;
        }
    }

    /** Our write was refused as based on a stale version: someone else wrote the Lease. Who holds it now? */
    private void lookAfterConflict() {
        try {
            Lease current = leases().withName(name).get();
            if (current == null) {
                lose("was deleted by someone else");
                return;
            }
            String holder = holderOf(current);
            if (!identity.equals(holder)) {
                lose("was taken by " + (holder == null ? "nobody (its holder was cleared)" : holder));
                return;
            }
            lease = current; // still ours (an earlier renewal went through but its answer was lost): go on from it
        } catch (KubernetesClientException e) {
            lastError = KubernetesApi.describe(e);
        }
    }

    private void checkDeadline() {
        long since = ticker.nanoTime() - lastRenewStartedNanos;
        if (!stopped && since > timings.renewDeadline().toNanos()) {
            long inFlight = renewalInFlightSince;
            String pending = inFlight == 0 ? "" : "; a renewal has been waiting " + TimeUnit.NANOSECONDS.toMillis(ticker.nanoTime() - inFlight)
                    + " ms for an answer";
            lose("could not be renewed for " + TimeUnit.NANOSECONDS.toMillis(since) + " ms, longer than the renew deadline of "
                    + timings.renewDeadline().toMillis() + " ms (last error: " + lastError + pending + ")");
        }
    }

    private void lose(String why) {
        String reason = "Lease " + namespace + "/" + name + " " + why;
        synchronized (lost) { // expired() must never see the flag without the reason
            if (lost.get()) {
                return;
            }
            lostReason = reason;
            lost.set(true);
        }
        ScheduledExecutorService s = scheduler;
        if (s != null) {
            s.shutdown();
        }
        LOG.log(Level.ERROR, "reprise: " + reason);
        onLost.accept(reason);
    }

    /**
     * Orderly shutdown: stops renewing and clears the holder, so that the next pod takes the Lease at once instead of
     * waiting out its duration. Does nothing if the Lease was lost. Never throws.
     */
    public void release() {
        close();
        Lease held = lease;
        if (held == null || lost.get()) {
            return;
        }
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                leases().resource(new LeaseBuilder(held).editSpec()
                        .withHolderIdentity(null)
                        .withLeaseDurationSeconds(1)
                        .withRenewTime(now())
                        .endSpec().build()).update();
                LOG.log(Level.DEBUG, "reprise: released Lease " + namespace + "/" + name);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 && attempt == 1) {
                    // a renewal raced this: read the current version, if it is still ours
                    try {
                        Lease current = leases().withName(name).get();
                        if (current == null || !identity.equals(holderOf(current))) {
                            return;
                        }
                        held = current;
                        continue;
                    } catch (KubernetesClientException again) {
                        e = again;
                    }
                }
                LOG.log(Level.WARNING, "reprise: could not release Lease " + namespace + "/" + name + ": "
                        + KubernetesApi.describe(e) + "; the next pod takes it after " + timings.durationSeconds() + " s");
                return;
            }
        }
    }

    /** Stops renewing, without releasing (the Lease then expires after its duration). */
    @Override
    public void close() {
        stopped = true;
        ScheduledExecutorService s;
        synchronized (this) {
            s = scheduler;
        }
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Lease fresh() {
        ZonedDateTime now = now();
        return new LeaseBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withNewSpec()
                .withHolderIdentity(identity)
                .withLeaseDurationSeconds(timings.durationSeconds())
                .withAcquireTime(now)
                .withRenewTime(now)
                .withLeaseTransitions(0)
                .endSpec()
                .build();
    }

    private Lease takeOver(Lease current, String holder, boolean ours) {
        ZonedDateTime now = now();
        int transitions = current.getSpec() == null || current.getSpec().getLeaseTransitions() == null ? 0
                : current.getSpec().getLeaseTransitions();
        return new LeaseBuilder(current).editOrNewSpec()
                .withHolderIdentity(identity)
                .withLeaseDurationSeconds(timings.durationSeconds())
                .withAcquireTime(now)
                .withRenewTime(now)
                .withLeaseTransitions(ours || holder == null ? transitions : transitions + 1)
                .endSpec()
                .build();
    }

    private NonNamespaceOperation<Lease, LeaseList, Resource<Lease>> leases() {
        return client.leases().inNamespace(namespace);
    }

    private static String holderOf(Lease lease) {
        String holder = lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
        return holder == null || holder.isBlank() ? null : holder;
    }

    private int durationOf(Lease lease) {
        Integer seconds = lease.getSpec() == null ? null : lease.getSpec().getLeaseDurationSeconds();
        return seconds == null || seconds <= 0 ? timings.durationSeconds() : seconds;
    }

    private ZonedDateTime now() {
        return ZonedDateTime.ofInstant(ticker.instant(), ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
    }
}
