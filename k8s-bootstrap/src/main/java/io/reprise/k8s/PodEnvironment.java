package io.reprise.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The pod this process runs in, as far as it can be known without a network call: the API server's address,
 * the service-account token, the namespace and the pod's name.
 *
 * <p>{@link #detect} reads only environment variables and files under the service-account directory. It never
 * opens a connection: outside a pod, nothing is contacted (brief, C8).
 *
 * @param apiServer         the API server's URL, e.g. {@code https://10.96.0.1:443}
 * @param serviceAccountDir holds {@code token}, {@code namespace} and (for https) {@code ca.crt}
 * @param namespace         the pod's namespace
 * @param podName           the pod's name
 */
public record PodEnvironment(String apiServer, Path serviceAccountDir, String namespace, String podName) {

    public Path tokenFile() {
        return serviceAccountDir.resolve("token");
    }

    /** The cluster's CA certificate, when the service-account directory has one. */
    public Optional<Path> caCertificate() {
        Path ca = serviceAccountDir.resolve("ca.crt");
        return Files.isRegularFile(ca) ? Optional.of(ca) : Optional.empty();
    }

    /**
     * Decides whether the Kubernetes parts switch on.
     *
     * @param settings    the {@code reprise.k8s.*} settings
     * @param environment the process environment ({@code System.getenv()})
     * @throws KubernetesException when {@code reprise.k8s.enabled=true} but this is not a usable pod
     */
    public static Detection detect(KubernetesSettings settings, Map<String, String> environment) {
        if (settings.mode() == KubernetesSettings.Mode.FALSE) {
            return Detection.off("Kubernetes support is off (reprise.k8s.enabled=false): no Lease, no Events, no annotations");
        }
        boolean required = settings.mode() == KubernetesSettings.Mode.TRUE;
        String host = environment.getOrDefault("KUBERNETES_SERVICE_HOST", "").trim();
        String apiServer = settings.apiServer();
        if (apiServer.isEmpty() && !host.isEmpty()) {
            String port = environment.getOrDefault("KUBERNETES_SERVICE_PORT", "443").trim();
            apiServer = "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + (port.isEmpty() ? "443" : port);
        }
        Path token = settings.serviceAccountDir().resolve("token");
        boolean hasToken = Files.isReadable(token);
        if (apiServer.isEmpty() && !hasToken) {
            return notInAPod(required, "not running in a Kubernetes pod (no KUBERNETES_SERVICE_HOST, no service-account "
                    + "token at " + token + "): Lease fencing, Events and annotations are off; the lock file in the data "
                    + "directory fences a second process on this machine");
        }
        if (apiServer.isEmpty()) {
            return notInAPod(required, "a service-account token is at " + token + " but KUBERNETES_SERVICE_HOST is not set, "
                    + "so the API server is unknown: Kubernetes support is off");
        }
        if (!hasToken) {
            String message = "running in a Kubernetes pod, but it has no service-account token at " + token
                    + " (automountServiceAccountToken: false?), so the data volume is NOT fenced with a Lease. Mount a "
                    + "token for a service account with the Role of samples/counter/k8s/rbac.yaml, or set "
                    + "reprise.k8s.enabled=false to run without Kubernetes support";
            if (required) {
                throw new KubernetesException("reprise.k8s.enabled=true but " + message);
            }
            return Detection.degraded(message);
        }
        String namespace;
        try {
            namespace = Files.readString(settings.serviceAccountDir().resolve("namespace"), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new KubernetesException("cannot read the pod's namespace from " + settings.serviceAccountDir().resolve("namespace")
                    + ": " + e + ". Set reprise.k8s.enabled=false to run without Kubernetes support");
        }
        String pod = settings.podName().isEmpty() ? environment.getOrDefault("HOSTNAME", "").trim() : settings.podName();
        if (pod.isEmpty()) {
            throw new KubernetesException("cannot tell this pod's name: HOSTNAME is not set. Set REPRISE_K8S_POD from the "
                    + "downward API (fieldRef: metadata.name)");
        }
        if (namespace.isEmpty()) {
            throw new KubernetesException(settings.serviceAccountDir().resolve("namespace") + " is empty; cannot tell this pod's namespace");
        }
        return Detection.on(new PodEnvironment(apiServer, settings.serviceAccountDir(), namespace, pod));
    }

    private static Detection notInAPod(boolean required, String message) {
        if (required) {
            throw new KubernetesException("reprise.k8s.enabled=true but " + message.replace(": Lease fencing", ". Lease fencing")
                    + ". Use reprise.k8s.enabled=auto (the default) to switch it on only in a pod");
        }
        return Detection.off(message);
    }

    /**
     * The outcome of {@link #detect}.
     *
     * @param pod         the pod, when the Kubernetes parts switch on
     * @param explanation why they are off (one line for the log), or null when on
     * @param warning     whether that line is a warning (in a pod, but without what fencing needs)
     */
    public record Detection(PodEnvironment pod, String explanation, boolean warning) {

        static Detection on(PodEnvironment pod) {
            return new Detection(pod, null, false);
        }

        static Detection off(String explanation) {
            return new Detection(null, explanation, false);
        }

        static Detection degraded(String explanation) {
            return new Detection(null, explanation, true);
        }

        public boolean inPod() {
            return pod != null;
        }
    }
}
