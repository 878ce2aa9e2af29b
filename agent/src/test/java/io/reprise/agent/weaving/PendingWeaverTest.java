package io.reprise.agent.weaving;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PendingWeaverTest {

    private static final byte[] WOVEN = {1};

    private final AtomicInteger builds = new AtomicInteger();
    private final List<String> seenByWeaver = new CopyOnWriteArrayList<>();

    private static final List<String> HERALDS = List.of("org/springframework/boot/SpringApplication",
            "org/apache/catalina/", "org/eclipse/jetty/", "io/undertow/", "jakarta/servlet/", "javax/servlet/");

    private PendingWeaver weaver() {
        return new PendingWeaver(HERALDS, () -> {
            builds.incrementAndGet();
            return new ClassFileTransformer() {
                @Override
                public byte[] transform(ClassLoader loader, String name, Class<?> redefined, ProtectionDomain domain,
                                        byte[] bytes) {
                    seenByWeaver.add(name);
                    return WOVEN;
                }
            };
        }, name -> name.equals("org.apache.catalina.connector.Connector"), "requests through tomcat are NOT journaled");
    }

    @Test
    void anApplicationWithoutAContainerNeverBuildsByteBuddy() throws Exception {
        PendingWeaver w = weaver();
        for (String name : List.of("com/example/Main", "com/sun/net/httpserver/HttpServer", "java/util/HashMap",
                "io/reprise/samples/counter/CounterApp", "org/apache/commons/lang3/StringUtils")) {
            assertThat(w.transform(null, name, null, null, new byte[0])).isNull();
        }
        assertThat(w.started()).isFalse();
        assertThat(builds).hasValue(0);
    }

    @Test
    void aContainerClassStartsTheBuildAndOnlyWovenClassesReachIt() throws Exception {
        PendingWeaver w = weaver();
        assertThat(w.transform(null, "org/apache/catalina/startup/Tomcat", null, null, new byte[0])).isNull();
        assertThat(w.started()).isTrue();

        assertThat(w.transform(null, "org/apache/catalina/core/StandardContext", null, null, new byte[0])).isNull();
        assertThat(w.transform(null, "org/apache/catalina/connector/Connector", null, null, new byte[0])).isSameAs(WOVEN);
        assertThat(w.transform(null, "com/example/Other", null, null, new byte[0])).isNull();

        assertThat(seenByWeaver).containsExactly("org/apache/catalina/connector/Connector");
        assertThat(builds).hasValue(1);
    }

    @Test
    void aWovenClassLoadedFirstWaitsForTheBuild() throws Exception {
        PendingWeaver w = weaver();
        assertThat(w.transform(null, "org/apache/catalina/connector/Connector", null, null, new byte[0])).isSameAs(WOVEN);
        assertThat(builds).hasValue(1);
    }

    @Test
    void heraldsArePrefixesOfInternalNames() {
        assertThat(PendingWeaver.heralds(HERALDS, "org/springframework/boot/SpringApplication")).isTrue();
        assertThat(PendingWeaver.heralds(HERALDS, "org/eclipse/jetty/server/Server")).isTrue();
        assertThat(PendingWeaver.heralds(HERALDS, "org/springframework/boot/loader/launch/JarLauncher")).isFalse();
        assertThat(PendingWeaver.heralds(HERALDS, "com/sun/net/httpserver/HttpServer")).isFalse();
    }
}
