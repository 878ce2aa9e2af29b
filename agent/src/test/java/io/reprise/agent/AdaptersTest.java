package io.reprise.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.reprise.agent.spi.ServerAdapter;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdaptersTest {

    @Test
    void theServicesFileListsEveryAdapterInTheOrderTheyInstall() {
        assertThat(Adapters.discover()).extracting(ServerAdapter::name)
                .containsExactly("jdkhttp", "tomcat", "jetty", "unsupported");
    }

    @Test
    void theUnsupportedLineNamesWhatTheAdaptersSupport() {
        Adapters adapters = new Adapters(null, Adapters.discover());

        assertThat(adapters.unsupportedLine("io.undertow.Undertow")).isEqualTo("reprise: io.undertow.Undertow is not "
                + "supported: its requests are not journaled and the journal is not replayed. Supported: the JDK HTTP "
                + "server (com.sun.net.httpserver); Tomcat 9, 10.1 and 11, embedded or in Spring Boot; Jetty 12 (ee10, "
                + "ee11), embedded or in Spring Boot; see docs/servers.md");
    }

    @Test
    void aFamilyIsServedWhenSomeAdapterListsIt() {
        Adapters adapters = new Adapters(null, Adapters.discover());

        assertThat(adapters.served("tomcat")).isTrue();
        assertThat(adapters.served("jdkhttp")).isTrue();
        assertThat(adapters.served("undertow")).isFalse();
        assertThat(adapters.served("reactor-netty")).isFalse();
    }

    @Test
    void adaptersOfOneFamilyShareOneObjectPerKey() {
        Adapters adapters = new Adapters(null, List.of());
        StringBuilder made = adapters.shared(StringBuilder.class, StringBuilder::new);

        assertThat(adapters.shared(StringBuilder.class, StringBuilder::new)).isSameAs(made);
    }
}
