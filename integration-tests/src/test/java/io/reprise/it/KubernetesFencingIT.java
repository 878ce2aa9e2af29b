package io.reprise.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent in a (simulated) pod: a real JVM with the real agent jar, pointed at fabric8's mock API server on
 * loopback through the test-only keys reprise.k8s.api-server and reprise.k8s.service-account-dir.
 *
 * <p>Two processes on real time, so the timings are chosen for a loaded machine: the other holder renews every few
 * tens of milliseconds a Lease of {@link #OTHER_DURATION}, and the agent's own renew deadline (20 s) is far beyond any
 * scheduling delay, so neither loses a Lease by being slow. How long the agent waited is counted in its own looks at
 * the Lease, not in the test's clock. {@link #START} only bounds a hang. The deterministic checks of every deadline
 * are the unit tests' (LeaseFenceTest, KubernetesLifecycleTest, on a manual clock).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesFencingIT {

    /** A guard against a hang, nothing else. */
    static final Duration START = Duration.ofSeconds(60);
    static final String NS = "reprise-demo";
    static final String LEASE = "reprise-data-counter-0";
    /** The other holder's Lease: a successor waits this long after its last renewal. */
    static final Duration OTHER_DURATION = Duration.ofSeconds(5);
    /** The agent's reprise.k8s.lease.retry-period: how often it looks at the Lease while it waits. */
    static final Duration RETRY = Duration.ofMillis(200);

    KubernetesMockServer server;
    KubernetesClient client;
    /** The requests the mock server recorded, collected as the test goes (it records each before answering it). */
    final List<RecordedRequest> recorded = new ArrayList<>();

    @TempDir
    Path work;

    @Test
    void theLeaseGatesThePortAndLosingItRefusesWritesAndEndsTheProcess() throws Exception {
        Path serviceAccount = Files.createDirectories(work.resolve("serviceaccount"));
        Files.writeString(serviceAccount.resolve("token"), "token");
        Files.writeString(serviceAccount.resolve("namespace"), NS);
        Path volume = Files.createDirectories(work.resolve("volume"));
        client.pods().inNamespace(NS).resource(new PodBuilder().withNewMetadata().withName("counter-0").endMetadata()
                .withNewSpec()
                .addNewContainer().withName("app").addNewVolumeMount().withName("data").withMountPath(volume.toString()).endVolumeMount().endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data-counter-0").endPersistentVolumeClaim().endVolume()
                .endSpec().build()).create();

        // Another process holds the Lease and renews it.
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        client.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata().withName(LEASE).endMetadata()
                .withNewSpec().withHolderIdentity("counter-0_other-uid").withLeaseDurationSeconds((int) OTHER_DURATION.toSeconds()).withRenewTime(now)
                .withAcquireTime(now).withLeaseTransitions(0).endSpec().build()).create();
        AtomicBoolean renewing = new AtomicBoolean(true);
        Thread otherHolder = new Thread(() -> {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (renewing.get() && System.nanoTime() < until) {
                client.leases().inNamespace(NS).withName(LEASE).edit(l -> new LeaseBuilder(l).editSpec()
                        .withRenewTime(ZonedDateTime.now(ZoneOffset.UTC)).endSpec().build());
                ChildJvm.pause();
                ChildJvm.pause();
            }
        }, "other-holder");
        otherHolder.setDaemon(true);
        otherHolder.start();

        int port = Launch.freePort();
        try (ChildJvm app = ChildJvm.start("app", work, Launch.fixture(volume.resolve("reprise"), port,
                "-Dreprise.k8s.enabled=true",
                "-Dreprise.k8s.api-server=http://localhost:" + server.getPort(),
                "-Dreprise.k8s.service-account-dir=" + serviceAccount,
                "-Dreprise.k8s.pod=counter-0",
                "-Dreprise.k8s.lease.duration=30s",
                "-Dreprise.k8s.lease.renew-deadline=20s",
                "-Dreprise.k8s.lease.retry-period=" + RETRY.toMillis() + "ms",
                "-Dreprise.k8s.annotations.interval=200ms",
                "-Dreprise.snapshot.every=3"))) {

            // 1. While the other holder renews, the port stays closed and the pod says why. The agent sleeps a retry
            //    period between two looks at the Lease; after OTHER_DURATION / RETRY + 2 more looks, more than the
            //    Lease duration has passed on its own clock: renewals, not the duration, keep it waiting.
            app.awaitOutput("waiting for Lease reprise-demo/" + LEASE + ": held by counter-0_other-uid", START);
            long looked = agentLeaseReads();
            long enough = looked + OTHER_DURATION.toMillis() / RETRY.toMillis() + 2;
            long deadline = System.nanoTime() + START.toNanos();
            for (int i = 0; i < 100_000 && agentLeaseReads() < enough && !app.output().contains("acquired Lease")
                    && System.nanoTime() < deadline; i++) {
                ChildJvm.pause();
            }
            assertThat(app.output()).as("the Lease stays the other holder's while it renews").doesNotContain("acquired Lease");
            assertThat(agentLeaseReads()).as("looks at the Lease within " + START).isGreaterThanOrEqualTo(enough);
            assertThat(ChildJvm.accepts(port)).as("no port without the Lease").isFalse();
            assertThat(app.output()).doesNotContain("recovery started");
            assertThat(reasons()).contains("WaitingForLease");

            // 2. The other holder stops renewing: after the Lease duration this pod takes it, recovers, serves.
            renewing.set(false);
            otherHolder.join(START.toMillis());
            app.awaitPort(port, START);
            assertThat(app.output()).contains("taken over from counter-0_other-uid");
            Lease lease = client.leases().inNamespace(NS).withName(LEASE).get();
            assertThat(lease.getSpec().getHolderIdentity()).startsWith("counter-0_");
            assertThat(lease.getSpec().getLeaseTransitions()).isEqualTo(1);
            for (int i = 1; i <= 5; i++) {
                assertThat(Http.increment(port)).isEqualTo(i);
            }
            awaitAnnotation("reprise.io/snapshot-time"); // a snapshot after 3 entries
            Map<String, String> annotations = client.pods().inNamespace(NS).withName("counter-0").get().getMetadata().getAnnotations();
            assertThat(annotations).containsKeys("reprise.io/journal-position", "reprise.io/snapshot-position");
            assertThat(reasons()).contains("WaitingForLease", "LeaseAcquired", "RecoveryStarted", "RecoveryCompleted");

            // 3. Someone else takes the Lease. The agent sees it at its next renewal, refuses journaled requests at
            //    once and exits with status 3. The test keeps writing until a write is refused: writes before the
            //    agent notices are served. (The LeaseLost Event is answered slowly here, which keeps the process, and
            //    its port, alive for 2.5 s after the first refusal: many times one request's round trip.)
            server.expect().post().delay(2500, TimeUnit.MILLISECONDS).withPath("/api/v1/namespaces/" + NS + "/events")
                    .andReturn(201, "{\"kind\":\"Event\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"lost\"}}").always();
            takeLease("counter-0_intruder");
            HttpResponse<String> refused = Http.send(port, "POST", "/counter", "");
            deadline = System.nanoTime() + START.toNanos();
            for (int i = 0; i < 100_000 && refused.statusCode() == 200 && System.nanoTime() < deadline; i++) {
                ChildJvm.pause();
                refused = Http.send(port, "POST", "/counter", "");
            }
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            String fencedOut = "fenced out: Lease reprise-demo/" + LEASE + " was taken by counter-0_intruder";
            assertThat(refused.body()).contains("request not applied: this process stopped writing: " + fencedOut);
            app.awaitOutput("reprise: " + fencedOut, START);
            assertThat(app.waitFor(START)).isEqualTo(3);
        }

        // Every API call the agent made is one the Role in samples/counter/k8s allows.
        Set<String> made = new TreeSet<>();
        for (RecordedRequest r : agentRequests()) {
            made.add(r.getMethod() + " " + r.getPath().split("\\?")[0].replaceAll("/(events)/[^/]+$", "/$1/NAME"));
        }
        assertThat(made).isSubsetOf(
                "GET /api/v1/namespaces/" + NS + "/pods/counter-0",
                "PATCH /api/v1/namespaces/" + NS + "/pods/counter-0",
                "POST /api/v1/namespaces/" + NS + "/events",
                "GET /apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases/" + LEASE,
                "POST /apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases",
                "PUT /apis/coordination.k8s.io/v1/namespaces/" + NS + "/leases/" + LEASE);
    }

    @Test
    void outsideAPodTheKubernetesClientIsNeverEvenLoaded() throws Exception {
        int port = Launch.freePort();
        Path classes = work.resolve("classes.txt");
        try (ChildJvm app = ChildJvm.start("app", work, Launch.fixture(work.resolve("data"), port,
                "-Dreprise.k8s.service-account-dir=" + Files.createDirectories(work.resolve("no-serviceaccount")),
                "-Xlog:class+load=info:file=" + classes))) {
            app.awaitPort(port, START);
            assertThat(Http.increment(port)).isEqualTo(1);
            assertThat(app.output()).containsAnyOf("not running in a Kubernetes pod", "no service-account token");
            app.kill();
        }
        String loaded = Files.readString(classes);
        assertThat(loaded).contains("io.reprise.agent.k8s.KubernetesSupport");
        assertThat(loaded).as("no Kubernetes client class, so no connection to any API server")
                .doesNotContain("io.fabric8.").doesNotContain("io.reprise.agent.k8s.KubernetesLifecycle")
                .doesNotContain("java.net.http.HttpClient ");
        assertThat(server.getRequestCount()).isZero();
    }

    List<String> reasons() {
        return client.v1().events().inNamespace(NS).list().getItems().stream().map(Event::getReason).toList();
    }

    void awaitAnnotation(String key) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            Map<String, String> a = client.pods().inNamespace(NS).withName("counter-0").get().getMetadata().getAnnotations();
            if (a != null && a.containsKey(key)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("pod annotation " + key + " never set: " + a);
            }
            ChildJvm.pause();
        }
    }

    /** Moves what the mock server recorded since the last call to {@link #recorded}. */
    void collectRequests(Duration wait) throws InterruptedException {
        RecordedRequest r;
        for (int i = 0; i < 1_000_000 && (r = server.takeRequest(wait.toMillis(), TimeUnit.MILLISECONDS)) != null; i++) {
            recorded.add(r);
        }
    }

    /** How often the agent has read the Lease so far. */
    long agentLeaseReads() throws InterruptedException {
        collectRequests(Duration.ZERO);
        return recorded.stream().filter(r -> "reprise-agent".equals(r.getHeader("User-Agent")) && r.getMethod().equals("GET")
                && r.getPath().split("\\?")[0].endsWith("/leases/" + LEASE)).count();
    }

    List<RecordedRequest> agentRequests() throws InterruptedException {
        collectRequests(Duration.ofMillis(100));
        List<RecordedRequest> all = recorded.stream().filter(r -> "reprise-agent".equals(r.getHeader("User-Agent"))).toList();
        assertThat(all).isNotEmpty();
        return all;
    }

    /**
     * Someone else takes the Lease. The edit is a read and a versioned write, which the agent's renewal (every retry
     * period) can overtake: then the API server answers 409 and the edit is tried again, from the renewed Lease.
     */
    private void takeLease(String holder) {
        for (int attempt = 1; ; attempt++) {
            try {
                client.leases().inNamespace(NS).withName(LEASE)
                        .edit(l -> new LeaseBuilder(l).editSpec().withHolderIdentity(holder).endSpec().build());
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 10) {
                    throw e;
                }
            }
        }
    }
}
