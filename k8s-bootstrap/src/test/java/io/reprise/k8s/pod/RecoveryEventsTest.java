package io.reprise.k8s.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class RecoveryEventsTest {

    KubernetesClient client;
    RecoveryEvents events;
    String uid;

    @BeforeEach
    void pod() {
        Pod pod = client.pods().inNamespace("test").resource(new PodBuilder().withNewMetadata().withName("counter-0")
                .endMetadata().withNewSpec().withNodeName("node-a").endSpec().build()).create();
        uid = pod.getMetadata().getUid();
        events = new RecoveryEvents(client, new ThisPod("counter-0", "test", uid, "node-a", pod));
    }

    List<Event> events() {
        return client.v1().events().inNamespace("test").list().getItems().stream()
                .sorted(Comparator.comparing(e -> e.getMetadata().getName())).toList();
    }

    @Test
    void recoveryEventsSayWhereRecoveryStartsHowMuchItReplaysAndHowFast() {
        events.recoveryStarted(8_602_000L, 37);
        events.recoveryCompleted(37, Duration.ofMillis(3), 12_333.3, 8_602_037L);

        List<Event> posted = events();
        assertThat(posted).hasSize(2);
        Event started = posted.get(0);
        assertThat(started.getType()).isEqualTo("Normal");
        assertThat(started.getReason()).isEqualTo("RecoveryStarted");
        assertThat(started.getMessage()).isEqualTo("Restored the snapshot at journal position 8602000; replaying 37 journal "
                + "records (requests and their outcomes) before the port opens");
        Event done = posted.get(1);
        assertThat(done.getReason()).isEqualTo("RecoveryCompleted");
        assertThat(done.getMessage()).isEqualTo("Replayed 37 journal entries in 3.0 ms (12333 entries/s); state is at journal "
                + "position 8602037; the port opens now");
    }

    @Test
    void everyEventNamesThePodItIsAboutAndWhoReportedIt() {
        Event e = events.recoveryStarted(-1, 5);

        assertThat(e.getMessage()).startsWith("No snapshot restored; replaying 5 journal records");
        assertThat(e.getInvolvedObject().getKind()).isEqualTo("Pod");
        assertThat(e.getInvolvedObject().getName()).isEqualTo("counter-0");
        assertThat(e.getInvolvedObject().getNamespace()).isEqualTo("test");
        assertThat(e.getInvolvedObject().getUid()).isEqualTo(uid).isNotBlank();
        assertThat(e.getSource().getComponent()).isEqualTo("reprise");
        assertThat(e.getSource().getHost()).isEqualTo("node-a");
        assertThat(e.getReportingComponent()).isEqualTo("reprise");
        assertThat(e.getReportingInstance()).isEqualTo("counter-0");
        assertThat(e.getCount()).isEqualTo(1);
        assertThat(e.getFirstTimestamp()).isNotNull().isEqualTo(e.getLastTimestamp());
        assertThat(e.getMetadata().getName()).startsWith("counter-0.");
    }

    @Test
    void failuresAndFencingAreWarningsWithTheReason() {
        events.recoveryFailed("reprise: replaying journal entry at position 42 (POST /counter) failed");
        events.waitingForLease("reprise-data-counter-0", "counter-0_old-uid");
        events.leaseLost("Lease test/reprise-data-counter-0 was taken by counter-0_new-uid");

        List<Event> posted = events();
        assertThat(posted).extracting(Event::getType).containsOnly("Warning");
        assertThat(posted).extracting(Event::getReason).containsExactlyInAnyOrder("RecoveryFailed", "WaitingForLease", "LeaseLost");
        assertThat(posted).extracting(Event::getMessage).anySatisfy(m -> assertThat(m)
                .isEqualTo("Recovery failed, the port stays closed: reprise: replaying journal entry at position 42 (POST /counter) failed"));
        assertThat(posted).extracting(Event::getMessage).anySatisfy(m -> assertThat(m)
                .startsWith("Lease reprise-data-counter-0 is held by counter-0_old-uid, which renews it"));
        assertThat(posted).extracting(Event::getMessage).anySatisfy(m -> assertThat(m)
                .startsWith("Lease test/reprise-data-counter-0 was taken by counter-0_new-uid: journaled requests are refused with 503"));
    }

    @Test
    void aReplayThatDivergedIsOneWarningNamingTheFirstDivergence() {
        events.replayDiverged(3, 412, "journal position 42 (POST /items): live status 201, replay status 500");
        assertThat(events()).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("ReplayDiverged");
            assertThat(e.getMessage()).startsWith("3 of 412 replayed journal entries answered differently from live")
                    .contains("the first: journal position 42 (POST /items): live status 201, replay status 500");
        });
    }

    @Test
    void aVeryLongReasonIsCutToOneKilobyte() {
        Event e = events.recoveryFailed("x".repeat(5000));
        assertThat(e.getMessage()).hasSize(1024).endsWith("...");
    }
}
