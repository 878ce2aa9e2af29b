package io.reprise.k8s.pod;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Kubernetes Events on this process's pod, so that {@code kubectl describe pod} and {@code kubectl get events}
 * show what a starting pod is doing: waiting for its Lease, recovering (from which snapshot, how many entries),
 * done (how many, how long, how fast), failed (why), fenced out.
 *
 * <p>Each method posts one {@code v1} Event ({@code create events}, nothing else) and returns it; failures are
 * thrown to the caller, which decides whether an Event is worth waiting for.
 */
public final class RecoveryEvents {

    /** The Event's {@code source.component} and {@code reportingComponent}. */
    public static final String COMPONENT = "reprise";
    private static final int MAX_MESSAGE = 1024;
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ISO_INSTANT;
    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final KubernetesClient client;
    private final ThisPod pod;

    public RecoveryEvents(KubernetesClient client, ThisPod pod) {
        this.client = client;
        this.pod = pod;
    }

    public Event waitingForLease(String lease, String holder) {
        return post("Warning", "WaitingForLease", "Lease " + lease + " is held by " + holder + ", which renews it: another "
                + "process has this pod's data volume. Waiting until it releases the Lease or stops renewing it; the port "
                + "stays closed until then");
    }

    public Event leaseAcquired(String lease, String previousHolder) {
        return post("Normal", "LeaseAcquired", "Acquired Lease " + lease + (previousHolder == null ? ""
                : ", taken over from " + previousHolder + " after it stopped renewing") + "; recovery can start");
    }

    /**
     * @param snapshotPosition the journal position the restored snapshot covers, or -1 for none
     * @param recordsToReplay  journal records after it: requests and their outcomes
     */
    public Event recoveryStarted(long snapshotPosition, long recordsToReplay) {
        return post("Normal", "RecoveryStarted", (snapshotPosition < 0 ? "No snapshot restored"
                : "Restored the snapshot at journal position " + snapshotPosition) + "; replaying " + recordsToReplay
                + " journal records (requests and their outcomes) before the port opens");
    }

    public Event recoveryCompleted(long replayed, Duration took, double entriesPerSecond, long lastPosition) {
        return post("Normal", "RecoveryCompleted", String.format(Locale.ROOT, "Replayed %d journal entries in %.1f ms "
                + "(%.0f entries/s); state is at journal position %d; the port opens now", replayed, took.toNanos() / 1e6,
                entriesPerSecond, lastPosition));
    }

    /**
     * One Warning per recovery whose replay answered differently from live: how many entries diverged, and the first
     * of them (position, request, both outcomes).
     */
    public Event replayDiverged(long diverged, long replayed, String first) {
        return post("Warning", "ReplayDiverged", String.format(Locale.ROOT, "%d of %d replayed journal entries answered "
                + "differently from live, so the state may differ from the one the service had; the first: %s. See "
                + "docs/operations.md (a replay that answers differently from live)", diverged, replayed, first));
    }

    public Event recoveryFailed(String reason) {
        return post("Warning", "RecoveryFailed", "Recovery failed, the port stays closed: " + reason);
    }

    public Event leaseLost(String reason) {
        return post("Warning", "LeaseLost", reason + ": journaled requests are refused with 503 and the process exits "
                + "with status 3, so that it restarts and waits for the Lease");
    }

    /** Posts one Event about this pod. */
    public Event post(String type, String reason, String message) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.MICROS);
        String timestamp = TIMESTAMP.format(now.truncatedTo(ChronoUnit.SECONDS));
        String text = message.length() <= MAX_MESSAGE ? message : message.substring(0, MAX_MESSAGE - 3) + "...";
        Event event = new EventBuilder()
                .withNewMetadata()
                    .withName(pod.name() + "." + Long.toHexString(System.currentTimeMillis() * 1_000_000L + SEQUENCE.incrementAndGet() % 1_000_000L))
                    .withNamespace(pod.namespace())
                .endMetadata()
                .withInvolvedObject(pod.reference())
                .withType(type)
                .withReason(reason)
                .withMessage(text)
                .withFirstTimestamp(timestamp)
                .withLastTimestamp(timestamp)
                .withCount(1)
                .withNewSource().withComponent(COMPONENT).withHost(pod.nodeName()).endSource()
                .withReportingComponent(COMPONENT)
                .withReportingInstance(pod.name())
                .build();
        return client.v1().events().inNamespace(pod.namespace()).resource(event).create();
    }
}
