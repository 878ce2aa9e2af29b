package io.reprise.snapshot;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reprise.agent.bridge.ProviderRegistry;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotProvidersTest {

    private final SnapshotProvider provider = new SnapshotProvider() {
        @Override
        public void save(OutputStream out) {
        }

        @Override
        public void restore(InputStream in) {
        }
    };

    @BeforeEach
    @AfterEach
    void resetRegistry() {
        ProviderRegistry.reset();
    }

    @Test
    void testClassesAreOnTheSystemClassPathWhereTheAgentJarWouldBe() {
        // The true-path tests below rely on it: register looks only in the system class loader.
        assertThat(ProviderRegistry.class.getClassLoader())
                .as("surefire must run tests from the system class path (useSystemClassLoader)")
                .isSameAs(ClassLoader.getSystemClassLoader());
    }

    @Test
    void aRunningAgentTakesTheProvider() {
        assertThat(SnapshotProviders.register(provider)).isTrue();

        assertThat(ProviderRegistry.REGISTERED).singleElement().isSameAs(provider);
    }

    @Test
    void anAgentJarOnTheClassPathWhoseAgentIsDisabledDeclines() {
        ProviderRegistry.active = false;

        assertThat(SnapshotProviders.register(provider)).isFalse();
        assertThat(ProviderRegistry.REGISTERED).isEmpty();
    }

    @Test
    void withoutAnAgentRegisterReturnsFalseAndDoesNothing(@TempDir Path dir) throws Exception {
        // The fake registry is on this JVM's class path, so the no-agent case runs in a JVM that has only the
        // main classes of this module.
        Path probe = dir.resolve("Probe.java");
        Files.writeString(probe, """
                public class Probe {
                    public static void main(String[] args) {
                        io.reprise.snapshot.SnapshotProvider provider = new io.reprise.snapshot.SnapshotProvider() {
                            public void save(java.io.OutputStream out) {}
                            public void restore(java.io.InputStream in) {}
                        };
                        System.out.print("registered=" + io.reprise.snapshot.SnapshotProviders.register(provider));
                    }
                }
                """);
        Path mainClasses = Path.of(SnapshotProviders.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", mainClasses.toString(), probe.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);

        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).isEqualTo("registered=false");
    }

    @Test
    void anAgentThatRefusesTheProviderIsReportedAsIllegalState() {
        ProviderRegistry.refusal = new IllegalStateException("a provider is already registered");

        assertThatThrownBy(() -> SnapshotProviders.register(provider))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("The Reprise agent refused snapshot provider")
                .hasMessageContaining(provider.getClass().getName())
                .hasMessageContaining("a provider is already registered")
                .hasCause(ProviderRegistry.refusal);
        assertThat(ProviderRegistry.REGISTERED).isEmpty();
    }

    @Test
    void nullIsRejected() {
        assertThatThrownBy(() -> SnapshotProviders.register(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void cannotBeInstantiated() throws Exception {
        Constructor<SnapshotProviders> constructor = SnapshotProviders.class.getDeclaredConstructor();
        constructor.setAccessible(true);

        assertThatThrownBy(constructor::newInstance)
                .isInstanceOf(InvocationTargetException.class)
                .cause().isInstanceOf(UnsupportedOperationException.class);
    }
}
