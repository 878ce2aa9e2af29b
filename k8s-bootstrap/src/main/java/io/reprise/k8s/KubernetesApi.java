package io.reprise.k8s;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;

/**
 * The one way this module talks to the API server: a fabric8 client on the JDK's own HttpClient, configured only
 * from the {@link PodEnvironment}.
 *
 * <p>Nothing else is consulted: no kubeconfig, no {@code kubernetes.*} system properties, no proxy settings of the
 * application. The token file is read again for every request, since Kubernetes rotates bound service-account
 * tokens. The client's own retries are off: the callers decide when to retry, because a Lease renewal must give up
 * at a deadline, not after an exponential backoff.
 */
public final class KubernetesApi {

    private KubernetesApi() {
        throw new AssertionError("KubernetesApi cannot be instantiated");
    }

    /** A client for {@code pod}'s API server; it connects on its first request, not here. */
    public static KubernetesClient connect(PodEnvironment pod, Duration requestTimeout) {
        int timeoutMillis = (int) Math.max(100, Math.min(Integer.MAX_VALUE, requestTimeout.toMillis()));
        ConfigBuilder config = new ConfigBuilder(Config.empty())
                .withMasterUrl(pod.apiServer())
                .withNamespace(pod.namespace())
                .withOauthTokenProvider(() -> readToken(pod))
                .withRequestTimeout(timeoutMillis)
                .withConnectionTimeout(timeoutMillis)
                .withRequestRetryBackoffLimit(0)
                .withUserAgent("reprise-agent");
        pod.caCertificate().ifPresent(ca -> config.withCaCertFile(ca.toString()));
        return new KubernetesClientBuilder()
                .withHttpClientFactory(new JdkHttpClientFactory())
                .withConfig(config.build())
                .build();
    }

    private static String readToken(PodEnvironment pod) {
        try {
            return Files.readString(pod.tokenFile(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the service-account token " + pod.tokenFile(), e);
        }
    }

    /**
     * Whether retrying cannot help: the request was understood and refused (unauthenticated, forbidden, invalid).
     * Network errors, timeouts and server errors are worth retrying.
     */
    public static boolean isPermanent(KubernetesClientException e) {
        int code = e.getCode();
        return code == 400 || code == 401 || code == 403 || code == 422;
    }

    /** One line for a log or an error message: the HTTP status and the API server's reason, or the I/O error. */
    public static String describe(Throwable e) {
        if (e instanceof KubernetesClientException k) {
            String reason = k.getStatus() != null && k.getStatus().getMessage() != null ? k.getStatus().getMessage() : k.getMessage();
            if (k.getCode() > 0) {
                String hint = k.getCode() == 403 ? " (the service account's Role lacks this permission; see samples/counter/k8s/rbac.yaml)"
                        : k.getCode() == 401 ? " (the service-account token was not accepted)" : "";
                return "HTTP " + k.getCode() + ": " + reason + hint;
            }
            Throwable cause = k.getCause();
            return cause != null ? cause.toString() : String.valueOf(reason);
        }
        return e.toString();
    }
}
