package io.reprise.agent.adapter.jdkhttp;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.spi.HttpServerProvider;
import io.reprise.agent.bridge.RepriseHttpServerProvider;
import io.reprise.agent.spi.AdapterContext;
import io.reprise.agent.spi.ServerAdapter;
import io.reprise.journal.JournalEntry;
import io.reprise.journal.Outcome;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The adapter for the JDK's built-in HTTP server ({@code com.sun.net.httpserver}).
 *
 * <p>How it hooks in: the JDK picks its {@link HttpServerProvider} from the system property
 * {@code com.sun.net.httpserver.HttpServerProvider}. The agent names its own provider there, which wraps
 * the provider the JDK would otherwise have used. Every server the application creates is then a
 * {@link DeferredBindServer}: it binds its port only at {@code start()}, after recovery (C4), and puts a
 * {@link JournalFilter} in front of every context, so lambda handlers are covered as well. This uses public
 * JDK API only: no bytecode of the JDK is changed, and nothing is woven.
 */
public final class JdkHttpAdapter implements ServerAdapter {

    static final String PROVIDER_PROPERTY = "com.sun.net.httpserver.HttpServerProvider";
    private static final Logger LOG = System.getLogger("io.reprise.adapter.jdkhttp");

    private AdapterContext context;
    private String previousProvider;
    private final List<DeferredBindServer> servers = new CopyOnWriteArrayList<>();
    private volatile HttpServerProvider delegate;
    private final ReplayRoutes routes = new ReplayRoutes(
            () -> servers.stream().map(DeferredBindServer::contexts).iterator());

    /** Found by {@link ServiceLoader}; nothing happens before {@link #install}. */
    public JdkHttpAdapter() {
    }

    @Override
    public String name() {
        return "jdkhttp";
    }

    @Override
    public String supports() {
        return "the JDK HTTP server (com.sun.net.httpserver)";
    }

    @Override
    public void install(AdapterContext context) {
        this.context = context;
        this.previousProvider = System.getProperty(PROVIDER_PROPERTY);
        RepriseHttpServerProvider.install(new DeferringProvider(this));
        System.setProperty(PROVIDER_PROPERTY, RepriseHttpServerProvider.class.getName());
    }

    AdapterContext context() {
        return context;
    }

    void register(DeferredBindServer server) {
        servers.add(server);
    }

    private boolean agentRecordsSkipped; // recovery runs on one thread

    /** Called by each server at {@code start()}; the first call recovers, the others wait for it. */
    void recoverBeforeServing() {
        context.recovery().recoverBeforeServing(this::replay);
    }

    private Outcome replay(JournalEntry entry) throws Exception {
        if (entry.agentRecord()) {
            // A servlet container's session record: this data directory was written by an application on Tomcat or
            // Jetty. The JDK server has no sessions to rebuild.
            if (!agentRecordsSkipped) {
                agentRecordsSkipped = true;
                System.getLogger("io.reprise.adapter.jdkhttp").log(System.Logger.Level.WARNING, "reprise: the journal "
                        + "holds " + entry.recordType() + " records (of " + entry.target() + "), which the JDK HTTP server "
                        + "has nothing to apply to; they are skipped, first at journal position " + entry.position());
            }
            return Outcome.answered(200, 0);
        }
        return ReplayExchange.replay(entry, routes.of(entry.target()), context.idempotency());
    }

    /**
     * The provider the JDK would have used without the agent: the one named in the system property before
     * the agent replaced it, else the first one registered as a service, else the JDK's own.
     */
    HttpServerProvider delegate() {
        HttpServerProvider d = delegate;
        if (d != null) {
            return d;
        }
        synchronized (this) {
            if (delegate == null) {
                delegate = findDelegate();
            }
            return delegate;
        }
    }

    private HttpServerProvider findDelegate() {
        ClassLoader system = ClassLoader.getSystemClassLoader();
        try {
            if (previousProvider != null && !previousProvider.equals(RepriseHttpServerProvider.class.getName())) {
                return (HttpServerProvider) Class.forName(previousProvider, true, system).getDeclaredConstructor().newInstance();
            }
            for (HttpServerProvider p : ServiceLoader.load(HttpServerProvider.class, system)) {
                if (!(p instanceof RepriseHttpServerProvider)) {
                    LOG.log(Level.DEBUG, "reprise: wrapping HTTP server provider " + p.getClass().getName());
                    return p;
                }
            }
            return (HttpServerProvider) Class.forName("sun.net.httpserver.DefaultHttpServerProvider")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("reprise: cannot create the JDK HTTP server provider to wrap: " + e, e);
        }
    }
}
