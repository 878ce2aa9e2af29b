package io.reprise.k8s;

import io.reprise.k8s.lease.LeaseTimings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The Kubernetes part of Reprise's configuration, as the agent read it ({@code reprise.k8s.*}). This module does
 * not read configuration itself, so that it has no dependency on the agent.
 *
 * @param mode              {@code reprise.k8s.enabled}
 * @param leaseName         {@code reprise.k8s.lease}; empty: derived from the data volume
 * @param timings           {@code reprise.k8s.lease.duration}, {@code .renew-deadline}, {@code .retry-period}
 * @param allowNetworkFs    {@code reprise.k8s.allow-network-fs}
 * @param annotationsEvery  {@code reprise.k8s.annotations.interval}: least time between two annotation updates
 * @param podName           {@code reprise.k8s.pod}; empty: the host name, which Kubernetes sets to the pod's name
 * @param apiServer         {@code reprise.k8s.api-server}; empty: from {@code KUBERNETES_SERVICE_HOST}/{@code _PORT}
 * @param serviceAccountDir {@code reprise.k8s.service-account-dir}: token, namespace and CA certificate
 */
public record KubernetesSettings(Mode mode, String leaseName, LeaseTimings timings, boolean allowNetworkFs,
                                 Duration annotationsEvery, String podName, String apiServer, Path serviceAccountDir) {

    /** Where Kubernetes mounts a pod's service-account token. */
    public static final Path DEFAULT_SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    public KubernetesSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(timings, "timings");
        Objects.requireNonNull(annotationsEvery, "annotationsEvery");
        Objects.requireNonNull(serviceAccountDir, "serviceAccountDir");
        leaseName = leaseName == null ? "" : leaseName.trim();
        podName = podName == null ? "" : podName.trim();
        apiServer = apiServer == null ? "" : apiServer.trim();
    }

    /** The defaults, as documented in docs/configuration.md. */
    public static KubernetesSettings defaults() {
        return new KubernetesSettings(Mode.AUTO, "", LeaseTimings.DEFAULT, true, Duration.ofSeconds(10), "", "",
                DEFAULT_SERVICE_ACCOUNT_DIR);
    }

    /** {@code reprise.k8s.enabled}. */
    public enum Mode {
        /** On inside a pod, off elsewhere. */
        AUTO,
        /** On; starting outside a pod is an error. */
        TRUE,
        /** Off, also inside a pod. */
        FALSE
    }
}
