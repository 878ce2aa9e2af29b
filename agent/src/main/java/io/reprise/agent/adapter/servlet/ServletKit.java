package io.reprise.agent.adapter.servlet;

import io.reprise.agent.idempotency.Idempotency;
import io.reprise.agent.spi.AdapterContext;
import io.reprise.agent.spi.JournalGate;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.Outcome;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the servlet containers' adapters share (Tomcat's, {@code tomcat.TomcatAdapter}, and Jetty's,
 * {@code jetty.JettyAdapter}): the glue that journals a request in the {@code jakarta.servlet} or {@code javax.servlet}
 * namespace of the application, container sessions, and replay through the container. One per agent
 * ({@link #of(AdapterContext)}).
 *
 * <p>How a container hooks in (details in docs/servers.md): advice on the container's outermost entry into the
 * application hands every request to {@link #service}, which lets it run untouched unless it is journaled; advice on
 * the start of the container's network connectors calls {@link #recover} before the port opens (C4). Replay goes
 * through the container itself and passes the same entry, where {@link Glue} gives it the same treatment as live
 * traffic.
 */
public final class ServletKit {

    /** Internal-name prefixes whose loading means a servlet application is coming, whatever the container. */
    public static final List<String> HERALDS = List.of(
            "org/springframework/boot/SpringApplication", "jakarta/servlet/", "javax/servlet/");

    private static final Logger LOG = System.getLogger("io.reprise.adapter.servlet");
    private static final int MAX_REFUSAL_LOGS = 100;

    private final AdapterContext context;
    private final JournalGate writePath;
    private final Glues glues;
    private final Set<String> refusalsLogged = ConcurrentHashMap.newKeySet();
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    private volatile boolean replaying;
    private final AtomicReference<Outcome> replayOutcome = new AtomicReference<>();
    private final SessionRecords sessions;
    private final Idempotency idempotency;

    /**
     * @param context     the agent; null in tests, which then give the write path
     * @param agentLoader the loader with the glue's class files (the agent's); tests give one without them
     */
    ServletKit(AdapterContext context, JournalGate writePath, ClassLoader agentLoader) {
        this.context = context;
        this.writePath = writePath;
        this.glues = new Glues(this, agentLoader);
        this.sessions = new SessionRecords(writePath);
        this.idempotency = context == null ? Idempotency.disabled() : context.idempotency();
    }

    /**
     * The agent's kit, made by the first container adapter that asks; it adds the sessions' snapshot section then
     * (unless {@code reprise.sessions=false}), so it must be asked from {@code install}.
     */
    public static ServletKit of(AdapterContext context) {
        return context.shared(ServletKit.class, () -> {
            ServletKit kit = new ServletKit(context, context.journal(), ServletKit.class.getClassLoader());
            if (context.sessions()) {
                context.addSnapshotSection(kit.sessions);
            }
            return kit;
        });
    }

    // ---- used by the glue (public: the glue is defined by another class loader) -------------------------------

    public boolean journalsMethod(String method) {
        return writePath.journalsMethod(method);
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

    public JournalGate writePath() {
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

    // ---- used by the container adapters ------------------------------------------------------------------------

    /**
     * Reads run untouched whatever happens to Reprise (C3): a glue that cannot be linked is an {@link UnlinkedGlue},
     * and a failure while deciding whether the request is journaled lets it run when its method is not journaled,
     * and refuses it with {@code 503} when it is (never silently unjournaled, C1).
     *
     * @param proceed     runs the container's entry again with Reprise's request and response
     * @param formMethods the methods whose form bodies the container parses into parameters
     * @return true when Reprise ran the application for the request (the woven entry must skip its body)
     */
    public boolean service(Object request, Object response, Proceed proceed, Set<String> formMethods) throws Exception {
        Glue glue;
        try {
            glue = glues.forRequest(request);
            if (glue == null || !glue.journaled(request)) {
                return false;
            }
        } catch (RuntimeException | LinkageError e) {
            return undecided(request, response, e);
        }
        glue.handle(request, response, proceed, formMethods);
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

    /**
     * Recovers before a connector's port opens (C4): the first call replays the journal, each request through
     * {@code container} and each session record into the sessions; every call returns once that is done.
     */
    public void recover(ContainerReplay container) {
        context.recovery().recoverBeforeServing(entry -> entry.agentRecord() ? sessions.replay(entry)
                : replay(() -> container.replay(entry)));
        sessions.recovered();
    }

    /** Replays one journaled request through the container; returns the status the container answered. */
    @FunctionalInterface
    public interface ContainerReplay {
        int replay(JournalEntry entry) throws Exception;
    }

    /** How one container finds its web applications' sessions ({@code TomcatSessions}, {@code JettySessions}). */
    @FunctionalInterface
    public interface SessionRegistration {
        void register() throws ReflectiveOperationException;
    }

    /**
     * Journals the session changes of the connector's web applications (see {@link SessionRecords}), unless
     * {@code reprise.sessions=false} (records in the journal are then skipped, with a warning); a failure leaves
     * sessions as they were before Reprise knew of them, with one warning.
     */
    public void registerSessions(String server, SessionRegistration registration) {
        if (context != null && !context.sessions()) {
            return;
        }
        try {
            registration.register();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            if (warned.add(server + " sessions")) {
                LOG.log(Level.WARNING, "reprise: " + server + "'s sessions cannot be journaled here (" + e + "): sessions "
                        + "made or changed by requests that are not journaled are lost at a restart. Please report it "
                        + "with the " + server + " version", e);
            }
        }
    }

    /** The session records, which a container's session listeners report to. */
    public SessionRecords sessions() {
        return sessions;
    }

    /** A session listener for the web application of this {@code ServletContext}, or null if it has none. */
    public Object sessionListenerForContext(Object servletContext, String key) {
        return sessionListener(glues.forServletContext(servletContext), key);
    }

    /** A session listener for the web application of this class loader, or null if it has none. */
    public Object sessionListenerForLoader(ClassLoader webAppLoader, String key) {
        return sessionListener(glues.forLoader(webAppLoader), key);
    }

    /** Logs {@code message} at WARNING the first time {@code key} is seen. */
    public void warnOnce(String key, String message) {
        if (warned.add(key)) {
            LOG.log(Level.WARNING, message);
        }
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
}
