package io.reprise.agent.adapter.servlet;

import io.reprise.agent.Reprise;
import io.reprise.agent.adapter.servlet.jetty.JettyInstrumentation;
import io.reprise.agent.adapter.servlet.jetty.JettyReplayer;
import io.reprise.agent.adapter.servlet.jetty.JettySessions;
import io.reprise.agent.adapter.servlet.tomcat.TomcatInstrumentation;
import io.reprise.agent.adapter.servlet.tomcat.TomcatReplayer;
import io.reprise.agent.adapter.servlet.tomcat.TomcatSessions;
import io.reprise.agent.bridge.ServletBridge;
import io.reprise.agent.idempotency.Idempotency;
import io.reprise.agent.writepath.WritePath;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import io.reprise.journal.Outcome;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;

/**
 * The adapter for servlet containers: Tomcat 9, 10.1 and 11 and Jetty 12 (ee10, ee11), embedded alone or in
 * Spring Boot, in the {@code jakarta.servlet} and the {@code javax.servlet} namespace.
 *
 * <p>How it hooks in (details in docs/servers.md): Byte Buddy advice on the container's outermost entry into the
 * application ({@code ApplicationFilterChain.doFilter} in Tomcat, {@code ServletHandler$MappedServlet.handle} in
 * Jetty) hands every request to {@link #service}, which lets it run untouched unless it is journaled; advice on the
 * start of the container's network connectors ({@code Connector.startInternal},
 * {@code AbstractNetworkConnector.doStart}) recovers before the port opens (C4). Replay goes through the container
 * itself: a synthetic Coyote request through Tomcat's {@code CoyoteAdapter}, raw HTTP through a Jetty
 * {@code LocalConnector}; it passes the same entry, where {@link Glue} gives it the same treatment as live traffic.
 */
public final class ServletAdapter {

    private static final Logger LOG = System.getLogger("io.reprise.adapter.servlet");
    private static final Set<String> TOMCAT_FORM_METHODS = Set.of("POST");
    private static final Set<String> JETTY_FORM_METHODS = Set.of("POST", "PUT");
    private static final int MAX_REFUSAL_LOGS = 100;

    private final Reprise reprise;
    private final Set<String> methods;
    private final WritePath writePath;
    private final Glues glues;
    private final Set<String> refusalsLogged = ConcurrentHashMap.newKeySet();
    private final Set<String> unsupportedLogged = ConcurrentHashMap.newKeySet();
    private volatile boolean replaying;
    private final AtomicReference<Outcome> replayOutcome = new AtomicReference<>();
    private final SessionRecords sessions;
    private final Idempotency idempotency;

    private ServletAdapter(Reprise reprise) {
        this(reprise, reprise.config().journaledMethods(), reprise.writePath(), ServletAdapter.class.getClassLoader());
    }

    /** @param agentLoader the loader with the glue's class files (the agent's); tests give one without them */
    ServletAdapter(Reprise reprise, Set<String> methods, WritePath writePath, ClassLoader agentLoader) {
        this.reprise = reprise;
        this.methods = Set.copyOf(methods);
        this.writePath = writePath;
        this.glues = new Glues(this, agentLoader);
        this.sessions = new SessionRecords(writePath);
        this.idempotency = reprise == null ? Idempotency.disabled() : reprise.idempotency();
    }

    /**
     * Installs the advice on Tomcat and Jetty classes; they are woven when the application loads them. Byte Buddy's
     * transformer is built in the background once a container shows up (see {@link PendingWeaver}).
     */
    public static void install(Reprise reprise, Instrumentation instrumentation) {
        ServletAdapter adapter = new ServletAdapter(reprise);
        if (reprise.config().sessions()) {
            reprise.addSnapshotSection(adapter.sessions);
        }
        ServletBridge.install(adapter.new Target());
        instrumentation.addTransformer(new PendingWeaver(ServletAdapter::buildWeaver, ServletAdapter::weaves), false);
    }

    private static ClassFileTransformer buildWeaver() {
        AgentBuilder b = Instrumentations.builder();
        b = TomcatInstrumentation.on(b);
        b = JettyInstrumentation.on(b);
        b = UnsupportedServers.on(b);
        return b.makeRaw();
    }

    private static boolean weaves(String className) {
        return TomcatInstrumentation.weaves(className) || JettyInstrumentation.weaves(className)
                || UnsupportedServers.weaves(className);
    }

    // ---- used by the glue (public: the glue is defined by another class loader) -------------------------------

    public boolean journalsMethod(String method) {
        return methods.contains(method);
    }

    /**
     * Whether a request with a journaled method is journaled at this path.
     *
     * @param requestUri the raw request URI ({@code getRequestURI()}: context path included, escapes kept)
     * @param routedPath the decoded, normalised path the container mapped the request on: the context's path,
     *     the servlet path and the path info
     */
    public boolean journalsPath(String method, String requestUri, String routedPath) {
        return writePath.journals(method, requestUri, routedPath);
    }

    public WritePath writePath() {
        return writePath;
    }

    /** Idempotency-Key handling, shared with every other adapter. */
    public Idempotency idempotency() {
        return idempotency;
    }

    /** True while recovery replays the journal: requests reaching the application are replays, not live. */
    public boolean replaying() {
        return replaying;
    }

    /** The message of the exception {@code startAsync} throws on a journaled request; logged once per path. */
    public String asyncRefused(String method, String path) {
        String message = "reprise: " + method + " " + path + " called startAsync(); asynchronous processing is refused for "
                + "journaled requests, since the order of journaled requests could not be kept across threads. "
                + "Serve it synchronously, or exclude the path with reprise.journal.exclude (it is then not journaled)";
        logOnce("async " + method + " " + path, message);
        return message;
    }

    /** The message of the exception {@code getParts} throws on a journaled multipart request; logged once per path. */
    public String multipartRefused(String method, String path) {
        String message = "reprise: " + method + " " + path + " is a multipart request; multipart bodies are not yet "
                + "available to the application on journaled requests. Exclude the path with reprise.journal.exclude "
                + "(it is then not journaled)";
        logOnce("multipart " + method + " " + path, message);
        return message;
    }

    private void logOnce(String key, String message) {
        if (refusalsLogged.size() < MAX_REFUSAL_LOGS && refusalsLogged.add(key)) {
            LOG.log(Level.WARNING, message);
        }
    }

    // ---- called through the bridge ---------------------------------------------------------------------------

    /**
     * Reads run untouched whatever happens to Reprise (C3): a glue that cannot be linked is an {@link UnlinkedGlue},
     * and a failure while deciding whether the request is journaled lets it run when its method is not journaled,
     * and refuses it with {@code 503} when it is (never silently unjournaled, C1).
     */
    boolean service(int hook, Object self, Object arg0, Object arg1, Object request, Object response) throws Exception {
        Glue glue;
        try {
            glue = glues.forRequest(request);
            if (glue == null || !glue.journaled(request)) {
                return false;
            }
        } catch (RuntimeException | LinkageError e) {
            return undecided(request, response, e);
        }
        Proceed proceed = hook == ServletBridge.TOMCAT
                ? (req, res) -> Reinvoke.TOMCAT_FILTER_CHAIN.invoke(self, req, res)
                : (req, res) -> Reinvoke.JETTY_MAPPED_SERVLET.invoke(self, arg0, arg1, req, res);
        glue.handle(request, response, proceed, hook == ServletBridge.TOMCAT ? TOMCAT_FORM_METHODS : JETTY_FORM_METHODS);
        return true;
    }

    private boolean undecided(Object request, Object response, Throwable failure) throws Exception {
        String reason = "Reprise failed to decide whether to journal the request (" + failure + ")";
        boolean journaledMethod;
        try {
            journaledMethod = UnlinkedGlue.mayBeJournaled(this, request);
        } catch (RuntimeException | LinkageError e) {
            failure.addSuppressed(e);
            if (failure instanceof Error) {
                throw (Error) failure;
            }
            throw (RuntimeException) failure;
        }
        logOnce("undecided", "reprise: " + reason + "; requests with a journaled method are refused with 503 while it "
                + "lasts, others run untouched. Please report it; the stack trace is logged at DEBUG by "
                + "io.reprise.adapter.servlet");
        LOG.log(Level.DEBUG, "reprise: deciding whether to journal a request failed", failure);
        if (!journaledMethod) {
            return false;
        }
        UnlinkedGlue.refuse(response, reason);
        return true;
    }

    void connectorStarting(int hook, Object connector) {
        if (hook == ServletBridge.TOMCAT) {
            registerTomcatSessions(connector);
            TomcatReplayer replayer = new TomcatReplayer(connector);
            reprise.recoverBeforeServing(entry -> entry.agentRecord() ? sessions.replay(entry)
                    : replay(() -> replayer.replay(entry)));
            sessions.recovered();
            return;
        }
        if (!JettyReplayer.supports(connector)) {
            unsupported(connector.getClass().getName() + " of a Jetty server without Jakarta EE 10/11 servlets (Jetty 12 "
                    + "ee10/ee11 is supported; Jetty 9-11 and the ee8/ee9 environments are not)");
            return;
        }
        registerJettySessions(connector);
        try (JettyReplayer replayer = new JettyReplayer(connector)) {
            reprise.recoverBeforeServing(entry -> entry.agentRecord() ? sessions.replay(entry)
                    : replay(() -> replayer.replay(entry)));
        }
        sessions.recovered();
    }

    /** How one container finds its web applications' sessions ({@link TomcatSessions}, {@link JettySessions}). */
    @FunctionalInterface
    private interface SessionRegistration {
        void register() throws ReflectiveOperationException;
    }

    /**
     * Journals the session changes of the connector's web applications (see {@link SessionRecords}), unless
     * {@code reprise.sessions=false} (records in the journal are then skipped, with a warning); a failure leaves
     * sessions as they were before Reprise knew of them, with one warning.
     */
    private void registerSessions(String server, SessionRegistration registration) {
        if (reprise != null && !reprise.config().sessions()) {
            return;
        }
        try {
            registration.register();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            if (unsupportedLogged.add(server + " sessions")) {
                LOG.log(Level.WARNING, "reprise: " + server + "'s sessions cannot be journaled here (" + e + "): sessions "
                        + "made or changed by requests that are not journaled are lost at a restart. Please report it "
                        + "with the " + server + " version", e);
            }
        }
    }

    private void registerTomcatSessions(Object connector) {
        registerSessions("Tomcat", () -> TomcatSessions.register(connector, sessions,
                (servletContext, key) -> sessionListener(glues.forServletContext(servletContext), key)));
    }

    private void registerJettySessions(Object connector) {
        registerSessions("Jetty", () -> JettySessions.register(connector, sessions,
                (loader, key) -> sessionListener(glues.forLoader(loader), key),
                why -> {
                    if (unsupportedLogged.add("jetty sessions " + why)) {
                        LOG.log(Level.WARNING, "reprise: the sessions of " + why + ": they are not journaled, and are "
                                + "lost at a restart (docs/guarantees.md#sessions)");
                    }
                }));
    }

    private Object sessionListener(Glue glue, String key) {
        return glue == null ? null : glue.sessionListener(sessions, key);
    }

    /**
     * Replays one entry through the container. The outcome is the one the glue saw (the same code live and on
     * replay); if the request never reached the glue (its path is no longer journaled, say), only the status the
     * container answered is known.
     */
    private Outcome replay(ReplayCall call) throws Exception {
        replayOutcome.set(null);
        replaying = true;
        try {
            int status = call.run();
            Outcome seen = replayOutcome.getAndSet(null);
            return seen != null ? seen : Outcome.answered(status, 0);
        } finally {
            replaying = false;
        }
    }

    /** Called by the glue with what a replayed request answered (Jetty replays on one of its own threads). */
    public void replayed(Outcome outcome) {
        replayOutcome.set(outcome);
    }

    @FunctionalInterface
    private interface ReplayCall {
        int run() throws Exception;
    }

    void unsupported(String server) {
        if (unsupportedLogged.add(server)) {
            LOG.log(Level.WARNING, "reprise: " + server + " is not supported: its requests are not journaled and the "
                    + "journal is not replayed. Supported: Tomcat 9, 10.1, 11 and Jetty 12 (ee10, ee11), embedded or in "
                    + "Spring Boot, and the JDK HTTP server; see docs/servers.md");
        }
    }

    /** The bridge's view of this adapter. */
    private final class Target implements ServletBridge.Target {

        @Override
        public boolean service(int hook, Object self, Object arg0, Object arg1, Object request, Object response)
                throws Exception {
            return ServletAdapter.this.service(hook, self, arg0, arg1, request, response);
        }

        @Override
        public void connectorStarting(int hook, Object connector) {
            ServletAdapter.this.connectorStarting(hook, connector);
        }

        @Override
        public void unsupported(Object server) {
            ServletAdapter.this.unsupported(server.getClass().getName());
        }
    }
}
