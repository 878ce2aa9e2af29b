package io.reprise.agent.bootstrap;

import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code Premain-Class} of {@code reprise-agent.jar}.
 *
 * <p>Invariants of this class, which the application's class loader loads:
 * <ul>
 *   <li>Do as little as possible here: find the jar, make the isolated class loader, open the JDK internals
 *       the journal needs to that loader only, and hand over to {@code io.reprise.agent.Agent} inside it.</li>
 *   <li>Reference nothing but JDK classes and the other classes of the visible packages
 *       ({@code io.reprise.agent.bootstrap}, {@code io.reprise.agent.bridge}); every other class of the agent
 *       is stored in the jar under {@code inst/} as {@code .classdata}, so no application class loader can
 *       ever load it by accident (C8).</li>
 *   <li>Store no state.</li>
 * </ul>
 */
public final class RepriseAgent {

    private RepriseAgent() {
        throw new AssertionError("RepriseAgent cannot be instantiated");
    }

    public static void premain(String agentArgs, Instrumentation instrumentation) throws Exception {
        Path jar = agentJar();
        AgentClassLoader loader = new AgentClassLoader(jar, RepriseAgent.class.getClassLoader());
        openJdkInternals(instrumentation, loader.getUnnamedModule());
        Class<?> agent = Class.forName("io.reprise.agent.Agent", true, loader);
        agent.getMethod("start", String.class, Instrumentation.class).invoke(null, agentArgs, instrumentation);
    }

    private static Path agentJar() throws URISyntaxException {
        CodeSource source = RepriseAgent.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("reprise: cannot locate reprise-agent.jar; start it with -javaagent:/path/to/reprise-agent.jar");
        }
        return Path.of(source.getLocation().toURI());
    }

    /**
     * Chronicle Queue reaches into JDK internals (brief, section 6). Opening them to the agent's own unnamed
     * module, and to nothing else, spares users every {@code --add-opens} flag and leaves the application's
     * view of the JDK unchanged.
     */
    private static void openJdkInternals(Instrumentation instrumentation, Module agent) {
        Set<Module> to = Set.of(agent);
        Module base = Object.class.getModule();
        instrumentation.redefineModule(base, Set.of(),
                Map.of("sun.nio.ch", to, "jdk.internal.ref", to, "jdk.internal.misc", to),
                Map.of("java.lang", to, "java.lang.reflect", to, "java.io", to, "java.util", to, "java.nio", to,
                        "sun.nio.ch", to),
                Set.of(), Map.of());
        // The JDK's own HttpServer implementation is the delegate of the agent's HttpServerProvider.
        Optional<Module> httpServer = ModuleLayer.boot().findModule("jdk.httpserver");
        httpServer.ifPresent(m -> instrumentation.redefineModule(m, Set.of(), Map.of("sun.net.httpserver", to),
                Map.of(), Set.of(), Map.of()));
    }
}
