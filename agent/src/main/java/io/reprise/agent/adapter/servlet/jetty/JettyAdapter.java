package io.reprise.agent.adapter.servlet.jetty;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

import io.reprise.agent.bridge.ServletBridge;
import net.bytebuddy.agent.builder.AgentBuilder;
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
 */
public final class JettyInstrumentation {

    static final String EE10_MAPPED_SERVLET = "org.eclipse.jetty.ee10.servlet.ServletHandler$MappedServlet";
    static final String EE11_MAPPED_SERVLET = "org.eclipse.jetty.ee11.servlet.ServletHandler$MappedServlet";
    static final String CONNECTOR = "org.eclipse.jetty.server.AbstractNetworkConnector";

    private JettyInstrumentation() {
    }

    /** Whether this adapter weaves the class of that binary name. */
    public static boolean weaves(String className) {
        return className.equals(EE10_MAPPED_SERVLET) || className.equals(EE11_MAPPED_SERVLET) || className.equals(CONNECTOR);
    }

    public static AgentBuilder on(AgentBuilder builder) {
        return builder
                .type(named(EE10_MAPPED_SERVLET).or(named(EE11_MAPPED_SERVLET)))
                .transform((b, type, loader, module, domain) -> b.visit(Advice.to(MappedServletAdvice.class)
                        .on(named("handle").and(takesArguments(4)))))
                .type(named(CONNECTOR))
                .transform((b, type, loader, module, domain) -> b.visit(Advice.to(ConnectorAdvice.class)
                        .on(named("doStart").and(takesNoArguments()))));
    }

    static final class MappedServletAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object mappedServlet, @Advice.Argument(0) Object servletHandler,
                             @Advice.Argument(1) Object pathInContext, @Advice.Argument(2) Object request,
                             @Advice.Argument(3) Object response) throws Exception {
            return ServletBridge.service(ServletBridge.JETTY, mappedServlet, servletHandler, pathInContext, request, response);
        }
    }

    static final class ConnectorAdvice {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object connector) {
            ServletBridge.connectorStarting(ServletBridge.JETTY, connector);
        }
    }
}
