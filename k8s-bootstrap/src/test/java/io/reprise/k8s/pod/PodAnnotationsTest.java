package io.reprise.k8s.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class PodAnnotationsTest {

    KubernetesMockServer server;
    KubernetesClient client;
    ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
    PodAnnotations annotations;

    @BeforeEach
    void pod() throws Exception {
        Pod pod = client.pods().inNamespace("test").resource(new PodBuilder().withNewMetadata().withName("counter-0")
                .addToAnnotations("owner", "team-a").endMetadata().build()).create();
        annotations = new PodAnnotations(client, new ThisPod("counter-0", "test", pod.getMetadata().getUid(), null, pod),
                Duration.ofMillis(700), executor);
        drainRequests();
    }

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    Map<String, String> podAnnotations() {
        return client.pods().inNamespace("test").withName("counter-0").get().getMetadata().getAnnotations();
    }

    @Test
    void eachSnapshotSetsTheJournalAndSnapshotPositionsAndKeepsOtherAnnotations() throws Exception {
        annotations.update(PodAnnotations.afterSnapshot(8_602_000L, 1_790_000_000_000L, 8_602_010L));

        awaitAnnotation(PodAnnotations.SNAPSHOT_POSITION, "8602000");
        assertThat(podAnnotations())
                .containsEntry("reprise.io/journal-position", "8602010")
                .containsEntry("reprise.io/snapshot-position", "8602000")
                .containsEntry("reprise.io/snapshot-time", "2026-09-21T14:13:20Z")
                .containsEntry("owner", "team-a");
    }

    @Test
    void updatesAreRateLimitedAndTheLastValuesAlwaysLand() throws Exception {
        annotations.update(PodAnnotations.afterSnapshot(100L, 1_790_000_000_000L, 101L));
        awaitAnnotation(PodAnnotations.SNAPSHOT_POSITION, "100");
        long first = System.nanoTime();
        for (int i = 2; i <= 5; i++) {
            annotations.update(PodAnnotations.afterSnapshot(100L * i, 1_790_000_000_000L + i, 100L * i + 1));
        }

        awaitAnnotation(PodAnnotations.SNAPSHOT_POSITION, "500");
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - first);
        List<RecordedRequest> patches = drainRequests().stream().filter(r -> r.getMethod().equals("PATCH")).toList();
        assertThat(patches).as("one write at once, one when the interval is up").hasSize(2);
        assertThat(took).as("the second write waits out the interval").isGreaterThanOrEqualTo(600);
        assertThat(patches.get(0).getHeader("Content-Type")).startsWith("application/merge-patch+json");
        assertThat(podAnnotations()).containsEntry(PodAnnotations.JOURNAL_POSITION, "501");
    }

    @Test
    void theMergePatchTouchesOnlyTheAnnotations() {
        assertThat(PodAnnotations.mergePatch(Map.of("reprise.io/snapshot-time", "a\"b")))
                .isEqualTo("{\"metadata\":{\"annotations\":{\"reprise.io/snapshot-time\":\"a\\\"b\"}}}");
    }

    void awaitAnnotation(String key, String value) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            Map<String, String> a = podAnnotations();
            if (a != null && value.equals(a.get(key))) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(key + " did not become " + value + ": " + a);
            }
            Thread.sleep(20);
        }
    }

    List<RecordedRequest> drainRequests() throws InterruptedException {
        List<RecordedRequest> all = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(50, TimeUnit.MILLISECONDS)) != null) {
            all.add(r);
        }
        return all;
    }
}
