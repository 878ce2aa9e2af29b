package io.reprise.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.k8s.KubernetesSettings.Mode;
import io.reprise.k8s.lease.LeaseTimings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodEnvironmentTest {

    @TempDir
    Path serviceAccount;

    KubernetesSettings settings(Mode mode) {
        return new KubernetesSettings(mode, "", LeaseTimings.DEFAULT, true, Duration.ofSeconds(10), "", "", serviceAccount);
    }

    void mountToken() throws Exception {
        Files.writeString(serviceAccount.resolve("token"), "eyJhbGciOi...");
        Files.writeString(serviceAccount.resolve("namespace"), "shop\n");
    }

    static final Map<String, String> POD_ENV = Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443",
            "HOSTNAME", "counter-0");

    @Test
    void inAPodItSwitchesOnWithTheApiServerNamespaceAndPodName() throws Exception {
        mountToken();
        PodEnvironment.Detection d = PodEnvironment.detect(settings(Mode.AUTO), POD_ENV);
        assertThat(d.inPod()).isTrue();
        assertThat(d.pod()).isEqualTo(new PodEnvironment("https://10.96.0.1:443", serviceAccount, "shop", "counter-0"));
    }

    @Test
    void anIpv6ApiServerAddressIsBracketed() throws Exception {
        mountToken();
        PodEnvironment pod = PodEnvironment.detect(settings(Mode.AUTO), Map.of("KUBERNETES_SERVICE_HOST", "fd00::1",
                "KUBERNETES_SERVICE_PORT", "6443", "HOSTNAME", "counter-0")).pod();
        assertThat(pod.apiServer()).isEqualTo("https://[fd00::1]:6443");
    }

    @Test
    void outsideAPodItStaysOffWithOneExplanation() {
        PodEnvironment.Detection d = PodEnvironment.detect(settings(Mode.AUTO), Map.of("HOSTNAME", "laptop"));
        assertThat(d.inPod()).isFalse();
        assertThat(d.warning()).isFalse();
        assertThat(d.explanation()).startsWith("not running in a Kubernetes pod");
    }

    @Test
    void requiredButNotInAPodIsAnError() {
        assertThatThrownBy(() -> PodEnvironment.detect(settings(Mode.TRUE), Map.of()))
                .isInstanceOf(KubernetesException.class)
                .hasMessageStartingWith("reprise.k8s.enabled=true but not running in a Kubernetes pod")
                .hasMessageContaining("reprise.k8s.enabled=auto");
    }

    @Test
    void aPodWithoutATokenIsWarnedAboutBecauseNothingIsFenced() {
        PodEnvironment.Detection d = PodEnvironment.detect(settings(Mode.AUTO), POD_ENV);
        assertThat(d.inPod()).isFalse();
        assertThat(d.warning()).isTrue();
        assertThat(d.explanation()).contains("no service-account token").contains("NOT fenced");
    }

    @Test
    void offMeansOffEvenInAPod() throws Exception {
        mountToken();
        PodEnvironment.Detection d = PodEnvironment.detect(settings(Mode.FALSE), POD_ENV);
        assertThat(d.inPod()).isFalse();
        assertThat(d.explanation()).contains("reprise.k8s.enabled=false");
    }

    @Test
    void thePodNameSettingWinsOverTheHostName() throws Exception {
        mountToken();
        KubernetesSettings s = new KubernetesSettings(Mode.AUTO, "", LeaseTimings.DEFAULT, true, Duration.ofSeconds(10),
                "counter-1", "http://127.0.0.1:1", serviceAccount);
        PodEnvironment pod = PodEnvironment.detect(s, Map.of("HOSTNAME", "other")).pod();
        assertThat(pod.podName()).isEqualTo("counter-1");
        assertThat(pod.apiServer()).isEqualTo("http://127.0.0.1:1");
    }
}
