package io.reprise.agent.adapter.servlet.tomcat;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

import io.reprise.agent.bridge.ServletBridge;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

/**
 * Tomcat 9, 10.1 and 11 (the same class names in both servlet namespaces).
 *
 * <ul>
 *   <li>{@code ApplicationFilterChain.doFilter(request, response)}: the container's entry into the application,
 *       the filters and then the servlet. Each filter calls it again; only the outermost {@code REQUEST}
 *       dispatch of a journaled request is taken, the rest pass through.</li>
 *   <li>{@code Connector.startInternal()}: the connector is about to accept connections. Plain Tomcat starts
 *       connectors after its contexts; Spring Boot adds them back in {@code TomcatWebServer.start()}, after the
 *       application context is refreshed. Either way, recovery runs here first.</li>
 * </ul>
 */
public final class TomcatInstrumentation {

    static final String FILTER_CHAIN = "org.apache.catalina.core.ApplicationFilterChain";
    static final String CONNECTOR = "org.apache.catalina.connector.Connector";

    private TomcatInstrumentation() {
    }

    /** Whether this adapter weaves the class of that binary name. */
    public static boolean weaves(String className) {
        return className.equals(FILTER_CHAIN) || className.equals(CONNECTOR);
    }

    public static AgentBuilder on(AgentBuilder builder) {
        return builder
                .type(named(FILTER_CHAIN))
                .transform((b, type, loader, module, domain) -> b.visit(Advice.to(FilterChainAdvice.class)
                        .on(named("doFilter").and(takesArguments(2)))))
                .type(named(CONNECTOR))
                .transform((b, type, loader, module, domain) -> b.visit(Advice.to(ConnectorAdvice.class)
                        .on(named("startInternal").and(takesNoArguments()))));
    }

    static final class FilterChainAdvice {
        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        static boolean enter(@Advice.This Object chain, @Advice.Argument(0) Object request,
                             @Advice.Argument(1) Object response) throws Exception {
            return ServletBridge.service(ServletBridge.TOMCAT, chain, null, null, request, response);
        }
    }

    static final class ConnectorAdvice {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object connector) {
            ServletBridge.connectorStarting(ServletBridge.TOMCAT, connector);
        }
    }
}
