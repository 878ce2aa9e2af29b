package io.reprise.k8s.manifests;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The counter sample's manifests (samples/counter/k8s) are valid Kubernetes objects and say what docs/kubernetes.md
 * says they do. Each document is read into fabric8's typed model, and any field the model does not know (a typo, a
 * wrong indentation) fails the test. KubectlDryRunTest has kubectl read them as well.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class CounterManifestsTest {

    static final Path DIR = Path.of("..", "samples", "counter", "k8s");

    KubernetesClient client;
    List<HasMetadata> objects;

    @BeforeEach
    void load() throws Exception {
        objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    objects.addAll(client.load(in).items());
                }
            }
        }
    }

    <T> T one(Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(found).as(type.getSimpleName()).hasSize(1);
        return found.get(0);
    }

    @Test
    void everyDocumentIsAKnownKindWithNoUnknownField() {
        assertThat(objects).extracting(HasMetadata::getKind).containsExactly(
                "Namespace", "ServiceAccount", "Role", "RoleBinding", "Service", "StatefulSet");
        for (HasMetadata o : objects) {
            assertNoUnknownFields(o, o.getKind());
            if (!(o instanceof Namespace)) {
                assertThat(o.getMetadata().getNamespace()).as(o.getKind() + " namespace").isEqualTo("reprise-demo");
            }
        }
    }

    @Test
    void theStatefulSetKeepsStateOnAReadWriteOnceClaimAndGetsTheAgentFromAnInitContainer() {
        StatefulSet set = one(StatefulSet.class);
        assertThat(set.getSpec().getServiceName()).isEqualTo(one(Service.class).getMetadata().getName());
        assertThat(set.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
            assertThat(claim.getMetadata().getName()).isEqualTo("data");
            assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        });
        PodSpec pod = set.getSpec().getTemplate().getSpec();
        assertThat(pod.getServiceAccountName()).isEqualTo(one(ServiceAccount.class).getMetadata().getName());
        assertThat(pod.getTerminationGracePeriodSeconds()).as("time for the shutdown snapshot").isGreaterThanOrEqualTo(30);

        Container init = pod.getInitContainers().get(0);
        Container app = pod.getContainers().get(0);
        VolumeMount agentIn = init.getVolumeMounts().get(0);
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo(agentIn.getName());
            assertThat(v.getEmptyDir()).isNotNull();
        });
        assertThat(init.getCommand()).containsExactly("cp", "/reprise/reprise-agent.jar", agentIn.getMountPath() + "/reprise-agent.jar");
        VolumeMount agentOut = mount(app, agentIn.getName());
        assertThat(agentOut.getReadOnly()).isTrue();
        assertThat(env(app, "JAVA_TOOL_OPTIONS")).isEqualTo("-javaagent:" + agentOut.getMountPath() + "/reprise-agent.jar");
        assertThat(env(app, "REPRISE_DIR")).startsWith(mount(app, "data").getMountPath() + "/");
        assertThat(app.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("REPRISE_K8S_POD");
            assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
        });
        assertThat(app.getStartupProbe()).isNotNull();
        assertThat(app.getStartupProbe().getPeriodSeconds() * app.getStartupProbe().getFailureThreshold())
                .as("startup budget in seconds (docs/kubernetes.md)").isGreaterThanOrEqualTo(60);
        assertThat(app.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/counter");
        assertThat(set.getSpec().getSelector().getMatchLabels()).isEqualTo(one(Service.class).getSpec().getSelector());
    }

    @Test
    void theRoleIsBoundToTheServiceAccountAndGrantsOnlyWhatTheAgentUses() {
        Role role = one(Role.class);
        RoleBinding binding = one(RoleBinding.class);
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo(role.getMetadata().getName());
        assertThat(binding.getSubjects()).singleElement().satisfies(s -> {
            assertThat(s.getKind()).isEqualTo("ServiceAccount");
            assertThat(s.getName()).isEqualTo(one(ServiceAccount.class).getMetadata().getName());
            assertThat(s.getNamespace()).isEqualTo("reprise-demo");
        });
        assertThat(role.getRules()).extracting(r -> r.getApiGroups() + " " + r.getResources() + " " + r.getVerbs())
                .containsExactly("[coordination.k8s.io] [leases] [get, create, update]", "[] [events] [create]",
                        "[] [pods] [get, patch]");
    }

    static VolumeMount mount(Container c, String volume) {
        return c.getVolumeMounts().stream().filter(m -> m.getName().equals(volume)).findFirst().orElseThrow();
    }

    static String env(Container c, String name) {
        return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst().orElseThrow();
    }

    /** Walks fabric8 model objects; a field the model does not know ends up in additionalProperties. */
    static void assertNoUnknownFields(Object o, String where) {
        if (o == null) {
            return;
        }
        if (o instanceof Collection<?> c) {
            int i = 0;
            for (Object e : c) {
                assertNoUnknownFields(e, where + "[" + i++ + "]");
            }
            return;
        }
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> assertNoUnknownFields(v, where + "." + k));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method method : o.getClass().getMethods()) {
            if (method.getParameterCount() != 0 || !method.getName().startsWith("get") || method.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = method.invoke(o);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            if (method.getName().equals("getAdditionalProperties")) {
                assertThat((Map<?, ?>) value).as("unknown fields in " + where).isNullOrEmpty();
            } else {
                assertNoUnknownFields(value, where + "." + method.getName().substring(3));
            }
        }
    }
}
