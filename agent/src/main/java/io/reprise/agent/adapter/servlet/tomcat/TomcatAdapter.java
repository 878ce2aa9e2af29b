package io.reprise.agent.adapter.servlet.tomcat;

import io.reprise.agent.adapter.servlet.Reinvoke;
import io.reprise.agent.adapter.servlet.ServletKit;
import io.reprise.agent.bridge.Hooks;
import io.reprise.agent.spi.AdapterContext;
import io.reprise.agent.spi.OnEnter;
import io.reprise.agent.spi.ServerAdapter;
import io.reprise.agent.spi.Slot;
import io.reprise.agent.spi.TypeNames;
import io.reprise.agent.spi.Weaving;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.bytebuddy.asm.Advice;

/**
 * Tomcat 9, 10.1 and 11, embedded alone or in Spring Boot (the same class names in both servlet namespaces).
 *
 * <ul>
 *   <li>{@code ApplicationFilterChain.doFilter(request, response)}: the container's entry into the application,
 *       the filters and then the servlet. Each filter calls it again; only the outermost {@code REQUEST}
 *       dispatch of a journaled request is taken, the rest pass through.</li>
 *   <li>{@code Connector.startInternal()}: the connector is about to accept connections. Plain Tomcat starts
 *       connectors after its contexts; Spring Boot adds them back in {@code TomcatWebServer.start()}, after the
 *       application context is refreshed. Either way, recovery runs here first.</li>
 * </ul>
 *
 * Replay goes through the connector's own {@code CoyoteAdapter} ({@link TomcatReplayer}).
 */
public final class TomcatAdapter implements ServerAdapter {

    static final String FILTER_CHAIN = "org.apache.catalina.core.ApplicationFilterChain";
    static final String CONNECTOR = "org.apache.catalina.connector.Connector";
    /** Tomcat parses form bodies into parameters for POST only ({@code Connector.parseBodyMethods}). */
    private static final Set<String> FORM_METHODS = Set.of("POST");
    private static final Reinvoke FILTER_CHAIN_DO_FILTER = new Reinvoke("doFilter", 2);

    private ServletKit kit;

    /** Found by {@link java.util.ServiceLoader}; nothing happens before {@link #install}. */
    public TomcatAdapter() {
    }

    @Override
    public String name() {
        return "tomcat";
    }

    @Override
    public String supports() {
        return "Tomcat 9, 10.1 and 11, embedded or in Spring Boot";
    }

    @Override
    public void install(AdapterContext context) {
        this.kit = ServletKit.of(context);
    }

    @Override
    public Weaving weaving() {
        List<String> heralds = new ArrayList<>(List.of("org/apache/catalina/", "org/apache/coyote/"));
        heralds.addAll(ServletKit.HERALDS);
        return new Weaving(heralds, TypeNames.named(FILTER_CHAIN, CONNECTOR), weaver -> {
            weaver.advise(TypeNames.named(FILTER_CHAIN), "doFilter", 2, FilterChainAdvice.class,
                    (chain, request, response, unused2, unused3) -> kit.service(request, response,
                            (req, res) -> FILTER_CHAIN_DO_FILTER.invoke(chain, req, res), FORM_METHODS));
            weaver.advise(TypeNames.named(CONNECTOR), "startInternal", 0, OnEnter.class,
                    (connector, unused0, unused1, unused2, unused3) -> {
                        connectorStarting(connector);
                        return false;
                    });
        });
    }

    private void connectorStarting(Object connector) {
        kit.registerSessions("Tomcat", () -> TomcatSessions.register(connector, kit.sessions(), kit::sessionListenerForContext));
        TomcatReplayer replayer = new TomcatReplayer(connector);
        kit.recover(replayer::replay);
    }

    static final class FilterChainAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Slot int slot, @Advice.This Object chain, @Advice.Argument(0) Object request,
                             @Advice.Argument(1) Object response) throws Exception {
            return Hooks.enter(slot, chain, request, response, null, null);
        }
    }
}
