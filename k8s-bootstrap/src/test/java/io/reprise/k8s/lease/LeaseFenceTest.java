package io.reprise.k8s.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.reprise.k8s.KubernetesApi;
import io.reprise.k8s.KubernetesException;
import io.reprise.k8s.PodEnvironment;
import io.reprise.k8s.time.ManualTicker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/**
 * The Lease protocol against fabric8's mock API server, on a {@link ManualTicker}: the fences' time moves only when a
 * test moves it, so every deadline, expiry and retry below is decided by the test's steps, not by how fast the machine
 * runs. Requests take real time but none of the ticker's.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class LeaseFenceTest {

    static final String NS = "test";
    static final String NAME = "reprise-data-counter-0";
    static final String ME = "counter-0_uid-2";
    /** The proportions of the defaults. */
    static final LeaseTimings TIMINGS = new LeaseTimings(Duration.ofSeconds(2), Duration.ofMillis(1000), Duration.ofMillis(100));
    /** Real time a request may take: only a guard against a hang, since no decision here depends on real time. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    KubernetesMockServer server;
    KubernetesClient client;           // the test's own view of the API server
    KubernetesClient podClient;        // the client a pod makes (KubernetesApi.connect): no retries of its own
    ManualTicker ticker;
    @TempDir
    Path serviceAccount;
    final List<AutoCloseable> fences = new CopyOnWriteArrayList<>();
    final List<String> heard = new CopyOnWriteArrayList<>();

    @BeforeEach
    void podClient() throws Exception {
        ticker = new ManualTicker();
        Files.writeString(serviceAccount.resolve("token"), "token-of-counter");
        podClient = KubernetesApi.connect(new PodEnvironment("http://localhost:" + server.getPort(), serviceAccount, NS, "counter-0"),
                REQUEST_TIMEOUT);
    }

    @AfterEach
    void closeFences() throws Exception {
        ticker.close(); // participants still waiting for the Lease
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
        }, ticker);
        fences.add(fence);
        return fence;
    }

    Lease lease() {
        return client.leases().inNamespace(NS).withName(NAME).get();
    }

    Instant renewTime() {
        return lease().getSpec().getRenewTime().toInstant();
    }

    void createLease(String holder) {
        ZonedDateTime now = ZonedDateTime.ofInstant(ticker.instant(), ZoneOffset.UTC);
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
        assertThat(lease.getSpec().getRenewTime().toInstant()).isEqualTo(ticker.instant());
        assertThat(heard).containsExactly(ME + " acquired from null");
    }

    @Test
    void renewsTheLeaseWhileHeld() throws Exception {
        LeaseFence fence = fence(ME);
        fence.acquire();
        CompletableFuture<String> lost = new CompletableFuture<>();
        fence.startRenewing(lost::complete);

        // Three renew deadlines, one retry period at a time: each period ends with a renewal, none is missed.
        long periods = 3 * TIMINGS.renewDeadline().dividedBy(TIMINGS.retryPeriod());
        for (long i = 1; i <= periods; i++) {
            ticker.advance(TIMINGS.retryPeriod());
            assertThat(renewTime()).as("renewed after %s", ticker.elapsed()).isEqualTo(ticker.instant());
        }
        assertThat(lost).isNotDone();
        assertThat(fence.isHeld()).isTrue();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(ME);
    }

    @Test
    void theRenewDeadlineIsSeenAtTheCallEvenBeforeTheWatchdogRuns() throws Exception {
        LeaseFence fence = fence(ME);
        assertThat(fence.expired()).as("not held yet").contains("not held yet");
        fence.acquire();
        assertThat(fence.expired()).as("just acquired").isNull();

        // No renewer and no watchdog run (as in a GC pause that stopped every thread): only the clock moves.
        ticker.advance(TIMINGS.renewDeadline());
        assertThat(fence.expired()).as("at the renew deadline itself").isNull();
        ticker.advance(Duration.ofNanos(1));
        assertThat(fence.isHeld()).as("the watchdog has not noticed").isTrue();
        assertThat(fence.expired()).as("past the renew deadline")
                .contains("was last renewed " + TIMINGS.renewDeadline().toMillis() + " ms ago")
                .contains("renew deadline of " + TIMINGS.renewDeadline().toMillis() + " ms");
    }

    @Test
    void retakesItsOwnLeaseAtOnceAfterAContainerRestart() throws Exception {
        createLease(ME); // the previous container of this very pod held it a moment ago
        fence(ME).acquire();

        assertThat(ticker.elapsed()).as("acquired without waiting").isZero();
        assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(4); // not a change of holder
    }

    @Test
    void takesAReleasedLeaseAtOnce() throws Exception {
        createLease(null);
        fence(ME).acquire();

        assertThat(ticker.elapsed()).as("acquired without waiting").isZero();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(ME);
    }

    @Test
    void aSecondHolderWaitsWhileTheFirstRenewsAndTakesOverWhenItStops() throws Exception {
        LeaseFence first = fence("counter-0_uid-1");
        first.acquire();
        first.startRenewing(reason -> { });
        ManualTicker.Participant second = ticker.start("second pod", () -> fence(ME).acquire());

        ticker.advance(TIMINGS.duration().multipliedBy(2)); // twice the Lease duration: renewals keep it from expiring
        assertThat(second).matches(p -> !p.isDone(), "still waiting");
        assertThat(heard).containsExactly("counter-0_uid-1 acquired from null", ME + " waits for counter-0_uid-1");

        first.close(); // the first holder stops renewing without releasing (its node died)
        Instant lastRenewal = renewTime();
        ticker.advanceTo(lastRenewal.plus(TIMINGS.duration()).minusNanos(1));
        assertThat(second).as("no take-over before the Lease went unrenewed for its duration").matches(p -> !p.isDone(), "still waiting");
        ticker.advance(TIMINGS.retryPeriod().plusNanos(1)); // the second looks again once a retry period
        assertThat(second).as("take-over at the next look after that").matches(ManualTicker.Participant::isDone, "done");
        second.join();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(ME);
        assertThat(lease().getSpec().getLeaseTransitions()).isEqualTo(1);
        assertThat(heard).endsWith(ME + " acquired from counter-0_uid-1");
    }

    @Test
    void twoPodsStartingTogetherNeverBothHoldTheLease() throws Exception {
        // The closest race: both read "no Lease" before either creates it. The second create is refused (409).
        server.expect().get().withPath("/apis/coordination.k8s.io/v1/namespaces/test/leases/" + NAME)
                .andReturn(404, "{\"kind\":\"Status\",\"reason\":\"NotFound\",\"code\":404}").times(2);
        LeaseFence a = fence("counter-0_uid-a");
        LeaseFence b = fence("counter-0_uid-b");
        CompletableFuture<String> aLost = new CompletableFuture<>();
        ManualTicker.Participant podA = ticker.start("pod a", () -> {
            a.acquire();
            a.startRenewing(aLost::complete);
        });
        ManualTicker.Participant podB = ticker.start("pod b", () -> {
            b.acquire();
            b.startRenewing(reason -> { });
        });

        ticker.advance(TIMINGS.duration().multipliedBy(2));
        assertThat(podA).matches(ManualTicker.Participant::isDone, "holds the Lease");
        podA.join();
        assertThat(podB).as("exactly one holds the Lease").matches(p -> !p.isDone(), "still waiting");
        assertThat(a.isHeld()).isTrue();
        assertThat(aLost).isNotDone();
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(a.identity());
        assertThat(heard).containsExactly("counter-0_uid-a acquired from null", "counter-0_uid-b waits for counter-0_uid-a");
        assertThat(requests("POST")).as("both read no Lease and tried to create it").hasSize(2);
    }

    /** The requests of the given method since the last call; the mock server records each before it answers it. */
    List<RecordedRequest> requests(String method) throws InterruptedException {
        List<RecordedRequest> all = new ArrayList<>();
        RecordedRequest r;
        for (int i = 0; i < 10_000 && (r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null; i++) {
            if (r.getMethod().equals(method)) {
                all.add(r);
            }
        }
        return all;
    }

    @Test
    void isLostAtOnceWhenAnotherHolderTakesIt() throws Exception {
        LeaseFence fence = fence(ME);
        fence.acquire();
        CompletableFuture<String> lost = new CompletableFuture<>();
        fence.startRenewing(lost::complete);

        client.leases().inNamespace(NS).withName(NAME).edit(l -> new LeaseBuilder(l).editSpec().withHolderIdentity("intruder").endSpec().build());

        ticker.advance(TIMINGS.retryPeriod()); // the next renewal
        assertThat(lost).isCompletedWithValue("Lease test/" + NAME + " was taken by intruder");
        assertThat(fence.isHeld()).isFalse();
    }

    @Test
    void isLostAtOnceWhenTheLeaseIsDeleted() throws Exception {
        LeaseFence fence = fence(ME);
        fence.acquire();
        CompletableFuture<String> lost = new CompletableFuture<>();
        fence.startRenewing(lost::complete);

        client.leases().inNamespace(NS).withName(NAME).delete();

        ticker.advance(TIMINGS.retryPeriod()); // the next renewal
        assertThat(lost).isDone();
        assertThat(lost.get()).contains("was deleted");
    }

    @Test
    void fencesItselfWhenRenewalsFailPastTheDeadlineAndBeforeOthersMayTakeIt() throws Exception {
        LeaseFence fence = fence(ME);
        Duration beforeAcquire = ticker.elapsed(); // the deadline counts from the start of the last good request
        fence.acquire();
        server.expect().put().withPath("/apis/coordination.k8s.io/v1/namespaces/test/leases/" + NAME)
                .andReturn(503, "{\"kind\":\"Status\",\"message\":\"etcd is unavailable\",\"code\":503}").always();
        CompletableFuture<Duration> lostAt = new CompletableFuture<>();
        CompletableFuture<String> lost = new CompletableFuture<>();
        fence.startRenewing(reason -> {
            lostAt.complete(ticker.elapsed());
            lost.complete(reason);
        });

        ticker.advance(TIMINGS.renewDeadline().minusNanos(1));
        assertThat(lost).as("not fenced before the renew deadline").isNotDone();
        assertThat(fence.isHeld()).isTrue();
        ticker.advance(TIMINGS.duration().minus(TIMINGS.renewDeadline()));
        assertThat(lost).as("fenced before another pod may take the Lease").isDone();
        assertThat(lostAt.get().minus(beforeAcquire)).as("fenced no earlier than the renew deadline, before the Lease duration")
                .isGreaterThanOrEqualTo(TIMINGS.renewDeadline())
                .isLessThan(TIMINGS.duration());
        assertThat(lost.get()).contains("could not be renewed").contains("renew deadline of 1000 ms").contains("HTTP 503");
        assertThat(fence.isHeld()).isFalse();
    }

    @Test
    void releaseClearsTheHolderSoTheNextPodNeedNotWait() throws Exception {
        LeaseFence fence = fence("counter-0_uid-1");
        fence.acquire();
        fence.startRenewing(reason -> { });
        ticker.advance(TIMINGS.retryPeriod());
        fence.release();
        assertThat(lease().getSpec().getHolderIdentity()).isNull();

        Duration released = ticker.elapsed();
        fence(ME).acquire();
        assertThat(ticker.elapsed()).as("acquired without waiting").isEqualTo(released);
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(ME);
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
        assertThat(ticker.elapsed()).as("not retried").isZero();
    }
}
