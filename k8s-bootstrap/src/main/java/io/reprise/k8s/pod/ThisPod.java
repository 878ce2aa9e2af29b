package io.reprise.k8s.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.reprise.k8s.KubernetesApi;
import io.reprise.k8s.KubernetesException;
import io.reprise.k8s.PodEnvironment;
import io.reprise.k8s.time.Ticker;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * This process's pod as the API server knows it: its UID (which Events name, and which tells a restarted container
 * of this pod from a new pod of the same name) and its spec (which names the data volume's claim).
 *
 * @param name      the pod's name
 * @param namespace its namespace
 * @param uid       its UID
 * @param nodeName  the node it runs on (may be null)
 * @param pod       the whole object, as read
 */
public record ThisPod(String name, String namespace, String uid, String nodeName, Pod pod) {

    private static final Logger LOG = System.getLogger("io.reprise.k8s");

    /** The object reference that Events about this pod carry. */
    public io.fabric8.kubernetes.api.model.ObjectReference reference() {
        return new io.fabric8.kubernetes.api.model.ObjectReferenceBuilder()
                .withApiVersion("v1").withKind("Pod").withName(name).withNamespace(namespace).withUid(uid)
                .build();
    }

    /**
     * Reads this pod ({@code get pods}), retrying network and server errors every {@code retry} of {@code ticker}'s
     * time until it succeeds.
     *
     * @throws KubernetesException when the API server refuses (forbidden, unauthenticated) or the pod does not exist
     * @throws InterruptedException when interrupted while waiting to retry
     */
    public static ThisPod fetch(KubernetesClient client, PodEnvironment environment, Duration retry, Ticker ticker)
            throws InterruptedException {
        int attempt = 0;
        while (true) {
            attempt++;
            try {
                Pod pod = client.pods().inNamespace(environment.namespace()).withName(environment.podName()).get();
                if (pod == null) {
                    throw new KubernetesException("pod " + environment.podName() + " does not exist in namespace "
                            + environment.namespace() + "; if the host name is not the pod's name, set REPRISE_K8S_POD "
                            + "from the downward API (fieldRef: metadata.name)");
                }
                return new ThisPod(pod.getMetadata().getName(), pod.getMetadata().getNamespace(),
                        pod.getMetadata().getUid(), pod.getSpec() == null ? null : pod.getSpec().getNodeName(), pod);
            } catch (KubernetesClientException e) {
                if (KubernetesApi.isPermanent(e)) {
                    throw new KubernetesException("cannot read pod " + environment.podName() + " in namespace "
                            + environment.namespace() + " from " + environment.apiServer() + ": " + KubernetesApi.describe(e), e);
                }
                LOG.log(attempt % 10 == 1 ? Level.WARNING : Level.DEBUG, "reprise: cannot reach the Kubernetes API at "
                        + environment.apiServer() + " to read pod " + environment.podName() + " (attempt " + attempt + "): "
                        + KubernetesApi.describe(e) + "; retrying every " + retry.toMillis() + " ms");
                ticker.sleep(retry);
            }
        }
    }
}
