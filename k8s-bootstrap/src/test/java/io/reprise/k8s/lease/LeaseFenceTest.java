package io.reprise.k8s.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.reprise.k8s.KubernetesApi;
import io.reprise.k8s.KubernetesException;
import io.reprise.k8s.PodEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class LeaseFenceTest {

    static final String NS = "test";
    static final String NAME = "reprise-data-counter-0";
    static final String ME = "counter-0_uid-2";
    /** Short timings keep the tests fast; the proportions are the defaults'. */
    static final LeaseTimings TIMINGS = new LeaseTimings(Duration.ofSeconds(2), Duration.ofMillis(1000), Duration.ofMillis(100));

    KubernetesMockServer server;
    KubernetesClient client;           // the test's own view of the API server
    KubernetesClient podClient;        // the client a pod makes (KubernetesApi.connect): no retries of its own
    @TempDir
    Path serviceAccount;

    @BeforeEach
    void podClient() throws Exception {
        Files.writeString(serviceAccount.resolve("token"), "token-of-counter");
        podClient = KubernetesApi.connect(new PodEnvironment("http://localhost:" + server.getPort(), serviceAccount, NS, "counter-0"),
                Duration.ofMillis(500));
    }
    final List<AutoCloseable> fences = new CopyOnWriteArrayList<>();
    final List<String> heard = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeFences() throws Exception {
        for (AutoCloseable f : fences) {
            f.close();
        }
        podClient.close();
    }

    LeaseFence fence(String identity) {
        LeaseFence fence = new LeaseFence(podClient, NS, NAME, identity, TIMINGS, new LeaseFence.Listener() {
            @Override
            public void waiting(String lease, String holder) {
                heard.add(identity + " waits for " + holder);
            }

            @Override
            public void acquired(String lease, String previousHolder) {
                heard.add(identity + " acquired from " + previousHolder);
            }
        });
        fences.add(fence);
        return fence;
    }

    Lease lease() {
        return client.leases().inNamespace(NS).withName(NAME).get();
    }

    void createLease(String holder) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        client.leases().inNamespace(NS).resource(new LeaseBuilder().withNewMetadata().withName(NAME).endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(2).withRenewTime(now).withAcquireTime(now)
                .withLeaseTransitions(4).endSpec().build()).create();
    }

    @Test
    void createsTheLeaseWhenThereIsNone() throws Exception {
        fence(ME).acquire();

        Lease lease = lease();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(ME);
        assertThat(lease.getSpec().getLeaseDurationSeconds()).isEqualTo(2);
        assertThat(lease.getSpec().getLeaseTransitions()).isZero();
        assertThat(lease.getSpec().getRenewTime()).isNotNull();
        assertThat(heard).containsExactly(ME + " acquired from null");
    }

    @Test
    void renewsTheLeaseWhileHeld() throws Exception {
        LeaseFence fence = fence(ME);
        fence.acquire();
        ZonedDateTime first = lease().getSpec().getRenewTime();
        CompletableFuture<String> lost = new CompletableFuture<>();
        fence.startRenewing(lost::complete);

        awaitTrue(() -> lease().getSpec().getRenewTime().isAfter(first), Duration.ofSeconds(5));
        Thread.sleep(TIMINGS.renewDeadline().toMillis() + 200); // past the deadline: renewals keep it held
        assertThat(lost).isNotDone();
        assertThat(fence.isHeld()).isTrue();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(ME);
    }

    @Test
    void retakesItsOwnLeaseAtOnceAfterAContainerRestart() throws Exception {
        createLease(ME); // the previous container of this very pod held it a moment ago
        long started = System.nanoTime();
        fence(ME).acquire();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMINGS.duration());
        assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(4); // not a change of holder
    }

    @Test
    void takesAReleasedLeaseAtOnce() throws Exception {
        createLease(null);
        long started = System.nanoTime();
        fence(ME).acquire();

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(TIMINGS.duration());
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(ME);
    }

    @Test
    void aSecondHolderWaitsWhileTheFirstRenewsAndTakesOverWhenItStops() throws Exception {
        LeaseFence first = fence("counter-0_uid-1");
        first.acquire();
        first.startRenewing(reason -> { });
        CompletableFuture<Void> second = CompletableFuture.runAsync(() -> {
            try {
                fence(ME).acquire();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        Thread.sleep(2 * TIMINGS.duration().toMillis()); // twice the Lease duration: renewals keep it from expiring
        assertThat(second).isNotDone();
        assertThat(heard).contains(ME + " waits for counter-0_uid-1");

        first.close(); // the first holder stops renewing without releasing (its node died)
        second.get(TIMINGS.duration().toMillis() + 3000, TimeUnit.MILLISECONDS);
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(ME);
        assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(1);
        assertThat(heard).contains(ME + " acquired from counter-0_uid-1");
    }

    @Test
    void twoPodsStartingTogetherNeverBothHoldTheLease() throws Exception {
        LeaseFence a = fence("counter-0_uid-a");
        LeaseFence b = fence("counter-0_uid-b");
        CompletableFuture<Void> acquiredA = CompletableFuture.runAsync(() -> acquireAndRenew(a));
        CompletableFuture<Void> acquiredB = CompletableFuture.runAsync(() -> acquireAndRenew(b));

        CompletableFuture.anyOf(acquiredA, acquiredB).get(5, TimeUnit.SECONDS);
        Thread.sleep(TIMINGS.duration().toMillis() + 500);
        assertThat(acquiredA.isDone() ^ acquiredB.isDone()).as("exactly one holds the Lease").isTrue();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(acquiredA.isDone() ? a.identity() : b.identity());
    }

    private static void acquireAndRenew(LeaseFence fence) {
        try {
            fence.acquire();
            fence.startRenewing(reason -> { });
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void isLostAtOnceWhenAnotherHolderTakesIt() throws Exception {
        LeaseFence fence = fence(ME);
        fence.acquire();
        CompletableFuture<String> lost = new CompletableFuture<>();
        fence.startRenewing(lost::complete);

        client.leases().inNamespace(NS).withName(NAME).edit(l -> new LeaseBuilder(l).editSpec().withHolderIdentity("intruder").endSpec().build());

        String reason = lost.get(TIMINGS.renewDeadline().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(reason).isEqualTo("Lease test/" + NAME + " was taken by intruder");
        assertThat(fence.isHeld()).isFalse();
    }

    @Test
    void isLostAtOnceWhenTheLeaseIsDeleted() throws Exception {
        LeaseFence fence = fence(ME);
        fence.acquire();
        CompletableFuture<String> lost = new CompletableFuture<>();
        fence.startRenewing(lost::complete);

        client.leases().inNamespace(NS).withName(NAME).delete();

        assertThat(lost.get(TIMINGS.renewDeadline().toMillis(), TimeUnit.MILLISECONDS)).contains("was deleted");
    }

    @Test
    void fencesItselfWhenRenewalsFailPastTheDeadlineAndBeforeOthersMayTakeIt() throws Exception {
        LeaseFence fence = fence(ME);
        long beforeAcquire = System.nanoTime(); // the deadline counts from the start of the last good request
        fence.acquire();
        long acquired = System.nanoTime();
        server.expect().put().withPath("/apis/coordination.k8s.io/v1/namespaces/test/leases/" + NAME)
                .andReturn(503, "{\"kind\":\"Status\",\"message\":\"etcd is unavailable\",\"code\":503}").always();
        CompletableFuture<String> lost = new CompletableFuture<>();
        fence.startRenewing(lost::complete);

        String reason = lost.get(5, TimeUnit.SECONDS);
        long now = System.nanoTime();
        assertThat(TimeUnit.NANOSECONDS.toMillis(now - beforeAcquire)).as("fenced no earlier than the renew deadline")
                .isGreaterThanOrEqualTo(TIMINGS.renewDeadline().toMillis());
        assertThat(TimeUnit.NANOSECONDS.toMillis(now - acquired)).as("fenced before another pod may take the Lease")
                .isLessThan(TIMINGS.duration().toMillis());
        assertThat(reason).contains("could not be renewed").contains("renew deadline of 1000 ms").contains("HTTP 503");
    }

    @Test
    void releaseClearsTheHolderSoTheNextPodNeedNotWait() throws Exception {
        LeaseFence fence = fence("counter-0_uid-1");
        fence.acquire();
        fence.startRenewing(reason -> { });
        fence.release();
        assertThat(lease().getSpec().getHolderIdentity()).isNull();

        long started = System.nanoTime();
        fence(ME).acquire();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aRefusedRequestStopsAcquiringWithTheReason() {
        server.expect().get().withPath("/apis/coordination.k8s.io/v1/namespaces/test/leases/" + NAME)
                .andReturn(403, "{\"kind\":\"Status\",\"message\":\"leases.coordination.k8s.io is forbidden\",\"code\":403}").always();

        assertThatThrownBy(() -> fence(ME).acquire())
                .isInstanceOf(KubernetesException.class)
                .hasMessageContaining("cannot acquire Lease test/" + NAME)
                .hasMessageContaining("HTTP 403")
                .hasMessageContaining("Role lacks this permission");
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(20);
        }
    }
}
