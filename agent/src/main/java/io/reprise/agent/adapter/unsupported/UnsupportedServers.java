package io.reprise.agent.adapter.servlet;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.nameEndsWith;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.takesNoArguments;

import io.reprise.agent.bridge.ServletBridge;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;

/**
 * Servers Reprise does not support, recognised when they start so that the operator reads one line saying so
 * instead of wondering why nothing is journaled: Undertow (alone or in Spring Boot) and Spring Boot's Reactor
 * Netty server. Jetty before 12, and Jetty 12 without ee10/ee11 servlets, are recognised by the Jetty adapter.
 */
final class UnsupportedServers {

    private static final String UNDERTOW = "io.undertow.Undertow";
    private static final String SPRING_BOOT = "org.springframework.boot.";
    private static final String[] SPRING_BOOT_SERVERS = {".UndertowWebServer", ".NettyWebServer"};

    private UnsupportedServers() {
    }

    /** Whether the class of that binary name is recognised here. */
    static boolean weaves(String className) {
        if (className.equals(UNDERTOW)) {
            return true;
        }
        if (className.startsWith(SPRING_BOOT)) {
            for (String server : SPRING_BOOT_SERVERS) {
                if (className.endsWith(server)) {
                    return true;
                }
            }
        }
        return false;
    }

    static AgentBuilder on(AgentBuilder builder) {
        return builder
                .type(named(UNDERTOW).or(nameStartsWith(SPRING_BOOT)
                        .and(nameEndsWith(SPRING_BOOT_SERVERS[0]).or(nameEndsWith(SPRING_BOOT_SERVERS[1])))))
                .transform((b, type, loader, module, domain) -> b.visit(Advice.to(StartAdvice.class)
                        .on(named("start").and(takesNoArguments()))));
    }

    static final class StartAdvice {
        @Advice.OnMethodEnter
        static void enter(@Advice.This Object server) {
            ServletBridge.unsupported(server);
        }
    }
}
