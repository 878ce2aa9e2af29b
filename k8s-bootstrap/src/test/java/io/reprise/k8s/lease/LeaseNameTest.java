package io.reprise.k8s.lease;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LeaseNameTest {

    static Pod statefulSetPod() {
        return new PodBuilder().withNewMetadata().withName("counter-0").endMetadata()
                .withNewSpec()
                .addNewContainer().withName("counter")
                    .addNewVolumeMount().withName("reprise-agent").withMountPath("/reprise").endVolumeMount()
                    .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim().withClaimName("data-counter-0").endPersistentVolumeClaim().endVolume()
                .addNewVolume().withName("reprise-agent").withNewEmptyDir().endEmptyDir().endVolume()
                .endSpec().build();
    }

    @Test
    void isNamedAfterTheClaimOfTheVolumeThatHoldsTheDataDirectory() {
        LeaseName name = LeaseName.of("", statefulSetPod(), Path.of("/data/reprise"));
        assertThat(name.name()).isEqualTo("reprise-data-counter-0");
        assertThat(name.source()).isEqualTo("volume data at /data is PersistentVolumeClaim data-counter-0");
    }

    @Test
    void theOverrideWins() {
        assertThat(LeaseName.of("Shared_Counter", statefulSetPod(), Path.of("/data")).name()).isEqualTo("shared-counter");
    }

    @Test
    void withoutAClaimTheLeaseIsNamedAfterThePod() {
        assertThat(LeaseName.of(null, statefulSetPod(), Path.of("/var/lib/state")).name()).isEqualTo("reprise-counter-0");
        assertThat(LeaseName.of(null, statefulSetPod(), Path.of("/reprise/data")).source()).contains("is not a PersistentVolumeClaim");
    }

    @Test
    void aGenericEphemeralVolumeUsesTheClaimKubernetesCreatesForIt() {
        Pod pod = new PodBuilder().withNewMetadata().withName("web-7f9c").endMetadata().withNewSpec()
                .addNewContainer().withName("web").addNewVolumeMount().withName("scratch").withMountPath("/state").endVolumeMount().endContainer()
                .addNewVolume().withName("scratch").withNewEphemeral().endEphemeral().endVolume()
                .endSpec().build();
        assertThat(LeaseName.of("", pod, Path.of("/state")).name()).isEqualTo("reprise-web-7f9c-scratch");
    }

    @Test
    void theDeepestMountWins() {
        Pod pod = new PodBuilder(statefulSetPod()).editSpec().editFirstContainer()
                .addNewVolumeMount().withName("journal").withMountPath("/data/reprise").endVolumeMount().endContainer()
                .addNewVolume().withName("journal").withNewPersistentVolumeClaim().withClaimName("journal-counter-0").endPersistentVolumeClaim().endVolume()
                .endSpec().build();
        assertThat(LeaseName.of("", pod, Path.of("/data/reprise/")).name()).isEqualTo("reprise-journal-counter-0");
        assertThat(LeaseName.of("", pod, Path.of("/data/other")).name()).isEqualTo("reprise-data-counter-0");
    }

    @Test
    void namesAreValidDnsSubdomainsOfAtMost253Characters() {
        String long1 = LeaseName.valid("reprise-" + "a".repeat(300));
        String long2 = LeaseName.valid("reprise-" + "a".repeat(301));
        assertThat(long1).hasSizeLessThanOrEqualTo(253).matches("[a-z0-9]([a-z0-9.-]*[a-z0-9])?");
        assertThat(long1).isNotEqualTo(long2);
        assertThat(LeaseName.valid("-Data_Volume.")).isEqualTo("data-volume");
    }
}
