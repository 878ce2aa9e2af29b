package io.reprise.agent.k8s;

import io.reprise.agent.config.Config;
import io.reprise.agent.lifecycle.Lifecycle;
import io.reprise.k8s.KubernetesException;
import io.reprise.k8s.KubernetesSettings;
import io.reprise.k8s.PodEnvironment;
import io.reprise.k8s.volume.MountTable;
import io.reprise.k8s.volume.VolumeCheck;
import io.reprise.k8s.volume.VolumeCheck.Finding;
import io.reprise.k8s.volume.VolumeCheck.Kind;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the agent does about Kubernetes at start: decide whether it runs in a pod and check the data directory's
 * volume. Reads environment variables, the service-account files and {@code /proc/self/mountinfo}; makes no network
 * call and loads no class of the Kubernetes client, so it costs well under a millisecond outside a pod.
 *
 * <p>Inside a pod, {@link #lifecycle()} is the {@link KubernetesLifecycle} that fences the data volume with a Lease
 * before recovery; the journal must then not be opened before that ({@link #fencesWithLease()}).
 */
public final class KubernetesSupport {

    private static final Logger LOG = System.getLogger("io.reprise.k8s");

    private final Lifecycle lifecycle; // null outside a pod

    private KubernetesSupport(Lifecycle lifecycle) {
        this.lifecycle = lifecycle;
    }

    /**
     * Runs the start-up checks.
     *
     * @throws KubernetesException when the agent must not start: {@code reprise.k8s.enabled=true} outside a pod, or
     *                             the data directory on a network file system with {@code reprise.k8s.allow-network-fs=false}
     */
    public static KubernetesSupport start(Config config) {
        return start(config.kubernetes(), config.dataDirectory(), System.getenv(), MountTable.read());
    }

    static KubernetesSupport start(KubernetesSettings settings, Path dataDir, Map<String, String> environment, MountTable mounts) {
        PodEnvironment.Detection detection = PodEnvironment.detect(settings, environment);
        boolean podLike = detection.inPod() || detection.warning();
        List<Finding> findings = VolumeCheck.check(dataDir, mounts, podLike);
        for (Finding finding : findings) {
            if (finding.kind() == Kind.NETWORK_FILE_SYSTEM && !settings.allowNetworkFs()) {
                throw new KubernetesException(finding.message().replace("; set reprise.k8s.allow-network-fs=false to refuse to start on one", "")
                        + ". Refusing to start (reprise.k8s.allow-network-fs=false)");
            }
            LOG.log(Level.WARNING, "reprise: " + finding.message());
        }
        if (!detection.inPod()) {
            LOG.log(detection.warning() ? Level.WARNING : Level.INFO, "reprise: " + detection.explanation());
            return new KubernetesSupport(null);
        }
        PodEnvironment pod = detection.pod();
        LOG.log(Level.INFO, "reprise: running in Kubernetes pod " + pod.namespace() + "/" + pod.podName()
                + ": the data volume is fenced with a Lease before recovery (API server " + pod.apiServer() + ")");
        return new KubernetesSupport(new KubernetesLifecycle(settings, pod, dataDir));
    }

    /** Whether a Lease must be held before the journal is opened: true inside a pod. */
    public boolean fencesWithLease() {
        return lifecycle != null;
    }

    /** The lifecycle to add to the agent, or null outside a pod. */
    public Lifecycle lifecycle() {
        return lifecycle;
    }
}
