package io.reprise.k8s.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.reprise.k8s.time.ManualTicker;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pod annotations on a {@link ManualTicker}: the writes run on a scheduler of the ticker, so they happen exactly when
 * the test moves the time to them, on the test's thread.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class PodAnnotationsTest {

    static final Duration INTERVAL = Duration.ofMillis(700);

    KubernetesMockServer server;
    KubernetesClient client;
    ManualTicker ticker;
    PodAnnotations annotations;

    @BeforeEach
    void pod() throws Exception {
        ticker = new ManualTicker();
        Pod pod = client.pods().inNamespace("test").resource(new PodBuilder().withNewMetadata().withName("counter-0")
                .addToAnnotations("owner", "team-a").endMetadata().build()).create();
        annotations = new PodAnnotations(client, new ThisPod("counter-0", "test", pod.getMetadata().getUid(), null, pod),
                INTERVAL, ticker.newScheduler(1, Thread::new), ticker);
        patches();
    }

    Map<String, String> podAnnotations() {
        return client.pods().inNamespace("test").withName("counter-0").get().getMetadata().getAnnotations();
    }

    @Test
    void eachSnapshotSetsTheJournalAndSnapshotPositionsAndKeepsOtherAnnotations() throws Exception {
        annotations.update(PodAnnotations.afterSnapshot(8_602_000L, 1_790_000_000_000L, 8_602_010L));
        assertThat(patches()).as("written on the executor, not on the caller's thread").isEmpty();

        ticker.advance(Duration.ZERO);
        assertThat(patches()).hasSize(1);
        assertThat(podAnnotations())
                .containsEntry("reprise.io/journal-position", "8602010")
                .containsEntry("reprise.io/snapshot-position", "8602000")
                .containsEntry("reprise.io/snapshot-time", "2026-09-21T14:13:20Z")
                .containsEntry("owner", "team-a");
    }

    @Test
    void updatesAreRateLimitedAndTheLastValuesAlwaysLand() throws Exception {
        annotations.update(PodAnnotations.afterSnapshot(100L, 1_790_000_000_000L, 101L));
        ticker.advance(Duration.ZERO);
        Instant firstWrite = ticker.instant();
        List<RecordedRequest> first = patches();
        assertThat(first).as("the first update is written at once").hasSize(1);
        assertThat(first.get(0).getHeader("Content-Type")).startsWith("application/merge-patch+json");
        for (int i = 2; i <= 5; i++) { // four more within the interval
            ticker.advance(Duration.ofMillis(100));
            annotations.update(PodAnnotations.afterSnapshot(100L * i, 1_790_000_000_000L + i, 100L * i + 1));
        }

        ticker.advanceTo(firstWrite.plus(INTERVAL).minusNanos(1));
        assertThat(patches()).as("nothing more is written before the interval is up").isEmpty();
        assertThat(podAnnotations()).containsEntry(PodAnnotations.SNAPSHOT_POSITION, "100");
        ticker.advance(Duration.ofNanos(1));
        assertThat(patches()).as("one write when the interval is up, with the last values").hasSize(1);
        assertThat(podAnnotations()).containsEntry(PodAnnotations.SNAPSHOT_POSITION, "500")
                .containsEntry(PodAnnotations.JOURNAL_POSITION, "501");

        ticker.advance(INTERVAL.multipliedBy(3));
        assertThat(patches()).as("nothing left to write").isEmpty();
    }

    @Test
    void anUpdateAfterAQuietIntervalIsWrittenAtOnce() throws Exception {
        annotations.update(PodAnnotations.afterSnapshot(100L, 1_790_000_000_000L, 101L));
        ticker.advance(INTERVAL);
        annotations.update(PodAnnotations.afterSnapshot(200L, 1_790_000_000_001L, 201L));
        ticker.advance(Duration.ZERO);

        assertThat(patches()).hasSize(2);
        assertThat(podAnnotations()).containsEntry(PodAnnotations.SNAPSHOT_POSITION, "200");
    }

    @Test
    void theMergePatchTouchesOnlyTheAnnotations() {
        assertThat(PodAnnotations.mergePatch(Map.of("reprise.io/snapshot-time", "a\"b")))
                .isEqualTo("{\"metadata\":{\"annotations\":{\"reprise.io/snapshot-time\":\"a\\\"b\"}}}");
    }

    /**
     * The PATCH requests since the last call. The mock server records a request before it answers it, and every
     * write here has returned when the ticker's advance does, so this collects all there are.
     */
    List<RecordedRequest> patches() throws InterruptedException {
        List<RecordedRequest> all = new ArrayList<>();
        RecordedRequest r;
        for (int i = 0; i < 10_000 && (r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null; i++) {
            if (r.getMethod().equals("PATCH")) {
                all.add(r);
            }
        }
        return all;
    }
}
