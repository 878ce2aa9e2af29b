package io.reprise.agent.bridge;

/**
 * What the advice woven into Tomcat and Jetty calls. Those classes live in the container's or the application's
 * class loader and see only their own loader chain, which ends at the system class loader: so the advice can
 * reach this class, in the visible part of the agent jar, and nothing else of the agent. It forwards every call
 * to the servlet adapter inside the agent's isolated loader.
 *
 * <p>Signatures use JDK types only: {@code jakarta.servlet} and {@code javax.servlet} types, and the
 * containers' own classes, differ from loader to loader. Without an installed target every call is a no-op
 * that lets the container carry on unchanged.
 */
public final class ServletBridge {

    /** Implemented by the servlet adapter in the agent's own loader. */
    public interface Target {

        /**
         * A request enters the application through {@code hook}. Returns {@code true} when Reprise ran the
         * application for it (the instrumented method must then skip its own body), {@code false} to let it run.
         */
        boolean service(int hook, Object self, Object arg0, Object arg1, Object request, Object response) throws Exception;

        /** A connector of a supported container is about to open its port: recover first (C4). */
        void connectorStarting(int hook, Object connector);

        /** A server Reprise does not support is starting: log it once, touch nothing. */
        void unsupported(Object server);
    }

    /** Tomcat: {@code org.apache.catalina.core.ApplicationFilterChain.doFilter(request, response)}. */
    public static final int TOMCAT = 1;
    /** Jetty 12: {@code org.eclipse.jetty.ee10|ee11.servlet.ServletHandler$MappedServlet.handle(handler, path, request, response)}. */
    public static final int JETTY = 2;

    private static volatile Target target;

    private ServletBridge() {
        throw new AssertionError("ServletBridge cannot be instantiated");
    }

    /** Called once by the agent, before the instrumentation that calls this class is installed. */
    public static void install(Target adapter) {
        target = adapter;
    }

    public static boolean service(int hook, Object self, Object arg0, Object arg1, Object request, Object response)
            throws Exception {
        Target t = target;
        return t != null && t.service(hook, self, arg0, arg1, request, response);
    }

    public static void connectorStarting(int hook, Object connector) {
        Target t = target;
        if (t != null) {
            t.connectorStarting(hook, connector);
        }
    }

    public static void unsupported(Object server) {
        Target t = target;
        if (t != null) {
            t.unsupported(server);
        }
    }
}
