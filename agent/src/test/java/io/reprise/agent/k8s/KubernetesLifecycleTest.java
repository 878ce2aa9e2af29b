package io.reprise.agent.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.reprise.agent.recovery.RecoveryReport;
import io.reprise.k8s.KubernetesSettings;
import io.reprise.k8s.PodEnvironment;
import io.reprise.k8s.lease.LeaseTimings;
import io.reprise.k8s.pod.PodAnnotations;
import io.reprise.k8s.time.ManualTicker;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's Kubernetes lifecycle against fabric8's mock API server (CRUD mode), and the proof that the Role in
 * samples/counter/k8s is exactly what it needs: every API call the agent makes, in every path, is recorded and
 * compared with the Role's rules, both ways.
 *
 * <p>The lifecycle runs on a {@link ManualTicker}: its Lease renewals, waits, Events and annotations happen when the
 * test moves the time, on the test's thread, so what it decides never depends on how fast the machine runs.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesLifecycleTest {

    static final String NS = "reprise-demo";
    static final Path RBAC = Path.of("..", "samples", "counter", "k8s", "10-rbac.yaml");
    /**
     * Only the ticker's time passes between renewals, so the lengths cost nothing; a renew deadline of 10 s gives the
     * agent's requests a 5 s timeout in real time, a guard against a hang that a loaded machine does not reach.
     */
    static final LeaseTimings TIMINGS = new LeaseTimings(Duration.ofSeconds(20), Duration.ofSeconds(10), Duration.ofMillis(100));

    KubernetesMockServer server;
    KubernetesClient client; // the test's own; the agent's requests are told apart by their User-Agent

    @TempDir
    Path serviceAccount;
    @TempDir
    Path volume;
    Path dataDir;
    String podUid;
    ManualTicker ticker;
    final List<String> fenced = new CopyOnWriteArrayList<>();

    @BeforeEach
    void pod() throws Exception {
        ticker = new ManualTicker();
        Files.writeString(serviceAccount.resolve("token"), "token");
        Files.writeString(serviceAccount.resolve("namespace"), NS);
        dataDir = volume.resolve("reprise");
        podUid = client.pods().inNamespace(NS).resource(new PodBuilder()
                .withNewMetadata().withName("counter-0").endMetadata()
                .withNewSpec().withNodeName("node-a")
                .addNewContainer().withName("counter").addNewVolumeMount().withName("data").withMountPath(volume.toString()).endVolumeMount().endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data-counter-0").endPersistentVolumeClaim().endVolume()
                .endSpec().build()).create().getMetadata().getUid();
    }

    KubernetesLifecycle lifecycle() {
        KubernetesSettings settings = new KubernetesSettings(KubernetesSettings.Mode.TRUE, "", TIMINGS, true, Duration.ofMillis(200),
                "", "", serviceAccount);
        return new KubernetesLifecycle(settings, new PodEnvironment("http://localhost:" + server.getPort(), serviceAccount, NS, "counter-0"), dataDir,
                ticker);
    }

    Lease lease() {
        return client.leases().inNamespace(NS).withName("reprise-data-counter-0").get();
    }

    List<Event> events() {
        return client.v1().events().inNamespace(NS).list().getItems().stream()
                .sorted(Comparator.comparing((Event e) -> e.getMetadata().getCreationTimestamp()).thenComparing(e -> e.getMetadata().getName()))
                .toList();
    }

    @Test
    void aReplayThatDivergedIsSummarisedInOneWarningEvent() throws Exception {
        KubernetesLifecycle k8s = lifecycle();
        k8s.beforeRecovery(fenced::add);
        k8s.recoveryCompleted(new RecoveryReport(-1, 40, 140, 0, 2_000_000, 2, 1, 0,
                java.util.List.of("journal position 42 (POST /items): live status 201, replay status 500")));
        k8s.shutdown();
        assertThat(events()).extracting(Event::getReason).containsExactly("LeaseAcquired", "RecoveryCompleted", "ReplayDiverged");
        assertThat(events().get(2).getType()).isEqualTo("Warning");
        assertThat(events().get(2).getMessage()).startsWith("2 of 40 replayed journal entries answered differently")
                .contains("journal position 42 (POST /items): live status 201, replay status 500");
    }

    @Test
    void aStartingPodTakesTheLeaseOfItsClaimAndReportsRecoveryAndPositions() throws Exception {
        KubernetesLifecycle k8s = lifecycle();
        k8s.beforeRecovery(fenced::add);
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("counter-0_" + podUid);

        k8s.recoveryStarted(100, 37);
        k8s.recoveryCompleted(new RecoveryReport(100, 37, 137, 1_000_000, 2_000_000));
        k8s.snapshotTaken(137, 1_790_000_000_000L, 137);
        k8s.shutdown();

        assertThat(events()).extracting(Event::getReason).containsExactly("LeaseAcquired", "RecoveryStarted", "RecoveryCompleted");
        assertThat(events().get(2).getMessage()).startsWith("Replayed 37 journal entries in 3.0 ms (18500 entries/s)");
        assertThat(events()).allSatisfy(e -> assertThat(e.getInvolvedObject().getUid()).isEqualTo(podUid));
        Map<String, String> annotations = client.pods().inNamespace(NS).withName("counter-0").get().getMetadata().getAnnotations();
        assertThat(annotations).containsEntry(PodAnnotations.JOURNAL_POSITION, "137")
                .containsEntry(PodAnnotations.SNAPSHOT_POSITION, "137")
                .containsEntry(PodAnnotations.SNAPSHOT_TIME, "2026-09-21T14:13:20Z");
        assertThat(lease().getSpec().getHolderIdentity()).as("released at shutdown").isNull();
        assertThat(fenced).isEmpty();
    }

    @Test
    void aSecondPodWaitsForALiveHolderAndSaysSo() throws Exception {
        createLease("counter-0_other-uid"); // a Lease of 1 s
        // The other holder renews every 200 ms for 2.5 s, then stops (its node died).
        ScheduledExecutorService otherPod = ticker.newScheduler(1, Thread::new);
        AtomicReference<Duration> lastRenewal = new AtomicReference<>();
        ScheduledFuture<?> renewing = otherPod.scheduleWithFixedDelay(() -> {
            client.leases().inNamespace(NS).withName("reprise-data-counter-0").edit(l -> new LeaseBuilder(l).editSpec()
                    .withRenewTime(ZonedDateTime.ofInstant(ticker.instant(), ZoneOffset.UTC)).endSpec().build());
            lastRenewal.set(ticker.elapsed());
        }, 200, 200, TimeUnit.MILLISECONDS);
        otherPod.schedule(() -> renewing.cancel(false), 2500, TimeUnit.MILLISECONDS);

        KubernetesLifecycle k8s = lifecycle();
        k8s.beforeRecovery(fenced::add); // returns when the Lease is this pod's; its waits move the ticker
        Duration acquired = ticker.elapsed();
        k8s.shutdown();

        assertThat(lastRenewal.get()).as("the other holder renewed until it stopped").isEqualTo(Duration.ofMillis(2400));
        assertThat(acquired).as("waited while the other holder renewed, then its Lease duration")
                .isGreaterThanOrEqualTo(lastRenewal.get().plusSeconds(1));
        List<Event> events = events();
        assertThat(events).extracting(Event::getReason).containsExactly("WaitingForLease", "LeaseAcquired");
        assertThat(events.get(0).getType()).isEqualTo("Warning");
        assertThat(events.get(0).getMessage()).contains("held by counter-0_other-uid");
        assertThat(events.get(1).getMessage()).contains("taken over from counter-0_other-uid");
    }

    @Test
    void losingTheLeaseFencesTheProcessAndLeavesAnEvent() throws Exception {
        KubernetesLifecycle k8s = lifecycle();
        k8s.beforeRecovery(fenced::add);
        client.leases().inNamespace(NS).withName("reprise-data-counter-0")
                .edit(l -> new LeaseBuilder(l).editSpec().withHolderIdentity("counter-0_new-uid").endSpec().build());

        ticker.advance(TIMINGS.retryPeriod()); // the next renewal
        assertThat(fenced).containsExactly("Lease reprise-demo/reprise-data-counter-0 was taken by counter-0_new-uid");
        k8s.shutdown();

        assertThat(events()).extracting(Event::getReason).contains("LeaseLost");
        assertThat(lease().getSpec().getHolderIdentity()).as("a lost Lease is not released").isEqualTo("counter-0_new-uid");
    }

    @Test
    void theRoleInTheManifestsAllowsEveryCallTheAgentMakesAndNoMore() throws Exception {
        // Every path: a new Lease (create), a stale one (take over), renewal, loss, release, Events of every kind
        // (recovery failed included), annotations.
        KubernetesLifecycle first = lifecycle();
        first.beforeRecovery(fenced::add);
        first.recoveryStarted(-1, 3);
        first.recoveryCompleted(new RecoveryReport(-1, 3, 3, 0, 1_000_000));
        first.snapshotTaken(3, ticker.instant().toEpochMilli(), 3);
        ticker.advance(TIMINGS.retryPeriod().multipliedBy(3)); // three renewals
        first.shutdown();

        createOrReplaceLease("counter-0_crashed-uid"); // a holder that died without releasing
        KubernetesLifecycle second = lifecycle();
        second.beforeRecovery(fenced::add);
        second.recoveryFailed("replaying journal entry at position 2 failed");
        client.leases().inNamespace(NS).withName("reprise-data-counter-0")
                .edit(l -> new LeaseBuilder(l).editSpec().withHolderIdentity("counter-0_new-uid").endSpec().build());
        ticker.advance(TIMINGS.retryPeriod()); // the next renewal finds it taken
        second.shutdown();
        assertThat(fenced).containsExactly("Lease reprise-demo/reprise-data-counter-0 was taken by counter-0_new-uid");

        Set<String> made = new TreeSet<>();
        for (RecordedRequest r : agentRequests()) {
            assertThat(r.getPath()).as("every call stays in the pod's namespace").contains("/namespaces/" + NS + "/");
            made.add(ApiCall.of(r.getMethod(), r.getPath()));
        }
        Set<String> allowed = allowedByRole();

        assertThat(allowed).as("the Role allows every call the agent makes").containsAll(made);
        assertThat(made).as("the Role allows nothing the agent does not use").containsAll(allowed);
        assertThat(made).containsExactlyInAnyOrder("coordination.k8s.io/leases get", "coordination.k8s.io/leases create",
                "coordination.k8s.io/leases update", "/events create", "/pods get", "/pods patch");
    }

    /** The Role's rules as "group/resource verb" strings; refuses wildcards and resourceNames it cannot reason about. */
    Set<String> allowedByRole() throws Exception {
        Set<String> allowed = new TreeSet<>();
        List<Role> roles = new ArrayList<>();
        try (InputStream in = Files.newInputStream(RBAC)) {
            for (HasMetadata o : client.load(in).items()) {
                if (o instanceof Role role) {
                    roles.add(role);
                }
            }
        }
        assertThat(roles).hasSize(1);
        for (PolicyRule rule : roles.get(0).getRules()) {
            assertThat(rule.getResourceNames()).isEmpty();
            assertThat(rule.getNonResourceURLs()).isEmpty();
            for (String group : rule.getApiGroups()) {
                for (String resource : rule.getResources()) {
                    for (String verb : rule.getVerbs()) {
                        assertThat(List.of(group, resource, verb)).doesNotContain("*");
                        allowed.add(group + "/" + resource + " " + verb);
                    }
                }
            }
        }
        return allowed;
    }

    List<RecordedRequest> agentRequests() throws InterruptedException {
        List<RecordedRequest> all = new ArrayList<>();
        RecordedRequest r;
        // The mock server records a request before it answers it, and the lifecycle's requests have all returned.
        for (int i = 0; i < 10_000 && (r = server.takeRequest(100, TimeUnit.MILLISECONDS)) != null; i++) {
            if ("reprise-agent".equals(r.getHeader("User-Agent"))) {
                all.add(r);
            }
        }
        assertThat(all).isNotEmpty();
        return all;
    }

    void createLease(String holder) {
        client.leases().inNamespace(NS).resource(staleLease(holder)).create();
    }

    void createOrReplaceLease(String holder) {
        Lease current = lease();
        client.leases().inNamespace(NS).resource(new LeaseBuilder(staleLease(holder))
                .editMetadata().withResourceVersion(current.getMetadata().getResourceVersion()).endMetadata().build()).update();
    }

    Lease staleLease(String holder) {
        ZonedDateTime now = ZonedDateTime.ofInstant(ticker.instant(), ZoneOffset.UTC);
        return new LeaseBuilder().withNewMetadata().withName("reprise-data-counter-0").withNamespace(NS).endMetadata()
                .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(1).withRenewTime(now).withAcquireTime(now)
                .withLeaseTransitions(0).endSpec().build();
    }

    /** An HTTP request to the API server, as the RBAC verb on a group/resource it needs. */
    static final class ApiCall {

        static String of(String method, String pathAndQuery) {
            String path = pathAndQuery.split("\\?")[0];
            String[] p = path.substring(1).split("/");
            // /api/v1/namespaces/NS/RESOURCE[/NAME]  or  /apis/GROUP/VERSION/namespaces/NS/RESOURCE[/NAME]
            int at = p[0].equals("api") ? 2 : 3;
            String group = p[0].equals("api") ? "" : p[1];
            assertThat(p[at]).isEqualTo("namespaces");
            String resource = p[at + 2];
            boolean named = p.length > at + 3;
            if (p.length > at + 4) {
                resource = resource + "/" + p[at + 4]; // a subresource
            }
            String verb = switch (method) {
                case "GET" -> named ? "get" : pathAndQuery.contains("watch=true") ? "watch" : "list";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> named ? "delete" : "deletecollection";
                default -> throw new AssertionError("unexpected method " + method);
            };
            return group + "/" + resource + " " + verb;
        }
    }
}
