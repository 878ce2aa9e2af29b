package io.reprise.agent.adapter.unsupported;

import io.reprise.agent.spi.AdapterContext;
import io.reprise.agent.spi.OnEnter;
import io.reprise.agent.spi.ServerAdapter;
import io.reprise.agent.spi.TypeNames;
import io.reprise.agent.spi.Weaving;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Servers Reprise does not support yet, recognised when they start so that the operator reads one line saying so
 * instead of wondering why nothing is journaled: Undertow (alone or in Spring Boot) and Spring Boot's Reactor Netty
 * server. A family that some installed adapter serves ({@link AdapterContext#served}) is not recognised here, so an
 * adapter for Undertow silences this line by being installed. Jetty before 12, and Jetty 12 without ee10/ee11
 * servlets, are recognised by the Jetty adapter.
 */
public final class UnsupportedServers implements ServerAdapter {

    private static final String SPRING_BOOT = "org.springframework.boot.";

    /** Family to the classes whose {@code start()} says it is starting. */
    private static final Map<String, TypeNames> RECOGNISED = recognised();

    private AdapterContext context;

    /** Found by {@link java.util.ServiceLoader}; nothing happens before {@link #install}. */
    public UnsupportedServers() {
    }

    private static Map<String, TypeNames> recognised() {
        Map<String, TypeNames> m = new LinkedHashMap<>();
        m.put("undertow", TypeNames.named("io.undertow.Undertow").or(TypeNames.prefixAndSuffix(SPRING_BOOT, ".UndertowWebServer")));
        m.put("reactor-netty", TypeNames.prefixAndSuffix(SPRING_BOOT, ".NettyWebServer"));
        return m;
    }

    @Override
    public String name() {
        return "unsupported";
    }

    @Override
    public String supports() {
        return "";
    }

    @Override
    public Set<String> families() {
        return Set.of();
    }

    @Override
    public void install(AdapterContext context) {
        this.context = context;
    }

    @Override
    public Weaving weaving() {
        TypeNames types = TypeNames.none();
        for (Map.Entry<String, TypeNames> e : RECOGNISED.entrySet()) {
            if (!context.served(e.getKey())) {
                types = types.or(e.getValue());
            }
        }
        if (types.isEmpty()) {
            return Weaving.NONE;
        }
        TypeNames starting = types;
        return new Weaving(List.of("io/undertow/", "org/springframework/boot/SpringApplication"), starting,
                weaver -> weaver.advise(starting, "start", 0, OnEnter.class, (server, a0, a1, a2, a3) -> {
                    context.unsupported(server.getClass().getName());
                    return false;
                }));
    }
}
