package io.reprise.agent.adapter.servlet.jetty;

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
 * Jetty 12 with Jakarta EE 10 or 11 servlets (Spring Boot 3 uses ee10, Spring Boot 4 ee11).
 *
 * <ul>
 *   <li>{@code ServletHandler$MappedServlet.handle(servletHandler, pathInContext, request, response)}: where Jetty
 *       runs a dispatch through the filter chain and the servlet. Only the outermost {@code REQUEST} dispatch of a
 *       journaled request is taken.</li>
 *   <li>{@code AbstractNetworkConnector.doStart()}: before the connector accepts. Plain Jetty starts
 *       connectors after its handlers, but binds them before the handlers ({@code Server.isOpenEarly()}, true by
 *       default); Spring Boot adds and starts them in {@code JettyWebServer.start()}, after the application context
 *       is refreshed, so they bind only here. Recovery runs here first.</li>
 * </ul>
 *
 * Replay goes through a {@code LocalConnector} of the same server ({@link JettyReplayer}). Jetty 9 to 11, and Jetty
 * 12 with only the ee8 or ee9 servlet environments, are recognised at the connector and named as unsupported.
 */
public final class JettyAdapter implements ServerAdapter {

    static final String EE10_MAPPED_SERVLET = "org.eclipse.jetty.ee10.servlet.ServletHandler$MappedServlet";
    static final String EE11_MAPPED_SERVLET = "org.eclipse.jetty.ee11.servlet.ServletHandler$MappedServlet";
    static final String CONNECTOR = "org.eclipse.jetty.server.AbstractNetworkConnector";
    /** Jetty parses form bodies into parameters for POST and PUT ({@code ServletContextRequest}). */
    private static final Set<String> FORM_METHODS = Set.of("POST", "PUT");
    private static final Reinvoke MAPPED_SERVLET_HANDLE = new Reinvoke("handle", 4);

    private AdapterContext context;
    private ServletKit kit;

    /** Found by {@link java.util.ServiceLoader}; nothing happens before {@link #install}. */
    public JettyAdapter() {
    }

    @Override
    public String name() {
        return "jetty";
    }

    @Override
    public String supports() {
        return "Jetty 12 (ee10, ee11), embedded or in Spring Boot";
    }

    @Override
    public void install(AdapterContext context) {
        this.context = context;
        this.kit = ServletKit.of(context);
    }

    @Override
    public Weaving weaving() {
        List<String> heralds = new ArrayList<>(List.of("org/eclipse/jetty/"));
        heralds.addAll(ServletKit.HERALDS);
        TypeNames mappedServlet = TypeNames.named(EE10_MAPPED_SERVLET, EE11_MAPPED_SERVLET);
        return new Weaving(heralds, mappedServlet.or(TypeNames.named(CONNECTOR)), weaver -> {
            weaver.advise(mappedServlet, "handle", 4, MappedServletAdvice.class,
                    (mapped, servletHandler, pathInContext, request, response) -> kit.service(request, response,
                            (req, res) -> MAPPED_SERVLET_HANDLE.invoke(mapped, servletHandler, pathInContext, req, res),
                            FORM_METHODS));
            weaver.advise(TypeNames.named(CONNECTOR), "doStart", 0, OnEnter.class,
                    (connector, unused0, unused1, unused2, unused3) -> {
                        connectorStarting(connector);
                        return false;
                    });
        });
    }

    private void connectorStarting(Object connector) {
        if (!JettyReplayer.supports(connector)) {
            context.unsupported(connector.getClass().getName() + " of a Jetty server without Jakarta EE 10/11 servlets "
                    + "(Jetty 12 ee10/ee11 is supported; Jetty 9-11 and the ee8/ee9 environments are not)");
            return;
        }
        kit.registerSessions("Jetty", () -> JettySessions.register(connector, kit.sessions(), kit::sessionListenerForLoader,
                why -> kit.warnOnce("jetty sessions " + why, "reprise: the sessions of " + why + ": they are not "
                        + "journaled, and are lost at a restart (docs/guarantees.md#sessions)")));
        try (JettyReplayer replayer = new JettyReplayer(connector)) {
            kit.recover(replayer::replay);
        }
    }

    static final class MappedServletAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Slot int slot, @Advice.This Object mappedServlet, @Advice.Argument(0) Object servletHandler,
                             @Advice.Argument(1) Object pathInContext, @Advice.Argument(2) Object request,
                             @Advice.Argument(3) Object response) throws Exception {
            return Hooks.enter(slot, mappedServlet, servletHandler, pathInContext, request, response);
        }
    }
}
