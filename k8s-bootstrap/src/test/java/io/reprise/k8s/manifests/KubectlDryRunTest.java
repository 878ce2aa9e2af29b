package io.reprise.k8s.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl apply --dry-run=client --validate=false} on the counter's manifests, when kubectl is installed.
 *
 * <p>kubectl needs an API server even for a client-side dry run (to map kinds to resources), so the test serves the
 * discovery documents for the kinds the manifests use from a stub on loopback, and answers 404 to everything else
 * (the objects do not exist yet). Nothing leaves the machine.
 */
class KubectlDryRunTest {

    static final Map<String, String> DISCOVERY = Map.of(
            "/api", "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],\"serverAddressByClientCIDRs\":[{\"clientCIDR\":\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1\"}]}",
            "/apis", "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\",\"groups\":["
                    + group("apps") + "," + group("rbac.authorization.k8s.io") + "]}",
            "/api/v1", resources("v1", resource("namespaces", "Namespace", false), resource("serviceaccounts", "ServiceAccount", true),
                    resource("services", "Service", true)),
            "/apis/apps/v1", resources("apps/v1", resource("statefulsets", "StatefulSet", true)),
            "/apis/rbac.authorization.k8s.io/v1", resources("rbac.authorization.k8s.io/v1", resource("roles", "Role", true),
                    resource("rolebindings", "RoleBinding", true)));

    @TempDir
    Path work;

    @Test
    void kubectlAcceptsEveryManifest() throws Exception {
        String kubectl = onPath("kubectl");
        Assumptions.assumeTrue(kubectl != null, "skipped: no kubectl on PATH; install it to run this test (apt-get install "
                + "kubernetes-client, as .ci/run does); CounterManifestsTest still checks every document against fabric8's model");

        HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        stub.createContext("/", exchange -> {
            String body = DISCOVERY.get(exchange.getRequestURI().getPath());
            int status = body == null ? 404 : 200;
            if (body == null) {
                body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        stub.start();
        try {
            Path kubeconfig = work.resolve("kubeconfig");
            Files.writeString(kubeconfig, String.join("\n",
                    "apiVersion: v1", "kind: Config", "current-context: stub",
                    "clusters: [{name: stub, cluster: {server: 'http://127.0.0.1:" + stub.getAddress().getPort() + "'}}]",
                    "users: [{name: stub, user: {token: none}}]",
                    "contexts: [{name: stub, context: {cluster: stub, user: stub, namespace: default}}]", ""));
            Process p = new ProcessBuilder(kubectl, "--kubeconfig", kubeconfig.toString(), "--cache-dir", work.resolve("cache").toString(),
                    "apply", "--dry-run=client", "--validate=false", "-f", CounterManifestsTest.DIR.toString())
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("kubectl finished").isTrue();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(output).isZero();
            assertThat(output).contains(
                    "namespace/reprise-demo created (dry run)",
                    "serviceaccount/counter created (dry run)",
                    "role.rbac.authorization.k8s.io/reprise-agent created (dry run)",
                    "rolebinding.rbac.authorization.k8s.io/reprise-agent created (dry run)",
                    "service/counter created (dry run)",
                    "statefulset.apps/counter created (dry run)");
        } finally {
            stub.stop(0);
        }
    }

    static String group(String name) {
        String v = "{\"groupVersion\":\"" + name + "/v1\",\"version\":\"v1\"}";
        return "{\"name\":\"" + name + "\",\"versions\":[" + v + "],\"preferredVersion\":" + v + "}";
    }

    static String resources(String groupVersion, String... resources) {
        return "{\"kind\":\"APIResourceList\",\"apiVersion\":\"v1\",\"groupVersion\":\"" + groupVersion + "\",\"resources\":["
                + String.join(",", resources) + "]}";
    }

    static String resource(String name, String kind, boolean namespaced) {
        return "{\"name\":\"" + name + "\",\"singularName\":\"\",\"namespaced\":" + namespaced + ",\"kind\":\"" + kind
                + "\",\"verbs\":[\"create\",\"delete\",\"get\",\"list\",\"patch\",\"update\",\"watch\"]}";
    }

    static String onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
