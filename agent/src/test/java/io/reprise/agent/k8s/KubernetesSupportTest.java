package io.reprise.agent.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.k8s.KubernetesException;
import io.reprise.k8s.KubernetesSettings;
import io.reprise.k8s.lease.LeaseTimings;
import io.reprise.k8s.volume.MountTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubernetesSupportTest {

    static final MountTable LOCAL = MountTable.parse("27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n");
    static final MountTable NFS = MountTable.parse("27 1 254:0 / / rw - ext4 /dev/vda rw\n"
            + "90 27 0:59 / /data rw,relatime - nfs4 nas:/export rw\n");

    @TempDir
    Path serviceAccount;

    KubernetesSettings settings(KubernetesSettings.Mode mode, boolean allowNetworkFs) {
        return new KubernetesSettings(mode, "", LeaseTimings.DEFAULT, allowNetworkFs, Duration.ofSeconds(10), "", "", serviceAccount);
    }

    @Test
    void outsideAPodThereIsNothingToFenceWith() {
        KubernetesSupport k8s = KubernetesSupport.start(settings(KubernetesSettings.Mode.AUTO, true), Path.of("/data"), Map.of(), LOCAL);
        assertThat(k8s.fencesWithLease()).isFalse();
        assertThat(k8s.lifecycle()).isNull();
    }

    @Test
    void inAPodTheLeaseFencesTheJournal() throws Exception {
        Files.writeString(serviceAccount.resolve("token"), "t");
        Files.writeString(serviceAccount.resolve("namespace"), "reprise-demo");
        KubernetesSupport k8s = KubernetesSupport.start(settings(KubernetesSettings.Mode.AUTO, true), Path.of("/data"),
                Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "HOSTNAME", "counter-0"), LOCAL);
        assertThat(k8s.fencesWithLease()).isTrue();
        assertThat(k8s.lifecycle()).isInstanceOf(KubernetesLifecycle.class);
    }

    @Test
    void requiredOutsideAPodStopsTheStart() {
        assertThatThrownBy(() -> KubernetesSupport.start(settings(KubernetesSettings.Mode.TRUE, true), Path.of("/data"), Map.of(), LOCAL))
                .isInstanceOf(KubernetesException.class).hasMessageContaining("reprise.k8s.enabled=true");
    }

    @Test
    void aNetworkFileSystemIsWarnedAboutOrRefused() {
        assertThat(KubernetesSupport.start(settings(KubernetesSettings.Mode.AUTO, true), Path.of("/data/reprise"), Map.of(), NFS)
                .fencesWithLease()).isFalse();
        assertThatThrownBy(() -> KubernetesSupport.start(settings(KubernetesSettings.Mode.AUTO, false), Path.of("/data/reprise"), Map.of(), NFS))
                .isInstanceOf(KubernetesException.class)
                .hasMessageContaining("network file system (nfs4 nas:/export at /data)")
                .hasMessageEndingWith("Refusing to start (reprise.k8s.allow-network-fs=false)");
    }
}
