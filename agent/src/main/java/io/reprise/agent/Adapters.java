package io.reprise.agent;

import io.reprise.agent.idempotency.Idempotency;
import io.reprise.agent.recovery.Replayer;
import io.reprise.agent.snapshot.SnapshotSection;
import io.reprise.agent.spi.AdapterContext;
import io.reprise.agent.spi.JournalGate;
import io.reprise.agent.spi.RecoveryGate;
import io.reprise.agent.spi.ServerAdapter;
import io.reprise.agent.weaving.Weavings;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * The server adapters ({@link ServerAdapter}), found with {@link ServiceLoader} in the agent's own class loader and
 * installed in the order of {@code META-INF/services/io.reprise.agent.spi.ServerAdapter}; and the
 * {@link AdapterContext} they get, over {@link Reprise}.
 */
final class Adapters implements AdapterContext, RecoveryGate {

    private static final Logger LOG = System.getLogger("io.reprise.adapter");

    private final Reprise reprise;
    private final List<ServerAdapter> adapters;
    private final Set<String> unsupportedLogged = ConcurrentHashMap.newKeySet();
    private final Map<Class<?>, Object> shared = new ConcurrentHashMap<>();

    Adapters(Reprise reprise, List<ServerAdapter> adapters) {
        this.reprise = reprise;
        this.adapters = List.copyOf(adapters);
    }

    /** The adapters of the agent's services file, in its order. */
    static List<ServerAdapter> discover() {
        List<ServerAdapter> found = new ArrayList<>();
        for (ServerAdapter a : ServiceLoader.load(ServerAdapter.class, Adapters.class.getClassLoader())) {
            found.add(a);
        }
        return found;
    }

    /** Installs every adapter, then their weaving as one transformer. */
    static Adapters install(Reprise reprise, Instrumentation instrumentation) {
        Adapters all = new Adapters(reprise, discover());
        Weavings weavings = new Weavings();
        for (ServerAdapter a : all.adapters) {
            try {
                a.install(all);
            } catch (RuntimeException | LinkageError e) {
                throw new IllegalStateException("reprise: the " + a.name() + " adapter failed to install: " + e, e);
            }
        }
        for (ServerAdapter a : all.adapters) {
            weavings.add(a.name(), a.weaving());
        }
        weavings.install(instrumentation);
        return all;
    }

    @Override
    public JournalGate journal() {
        return reprise.writePath();
    }

    @Override
    public RecoveryGate recovery() {
        return this;
    }

    @Override
    public void recoverBeforeServing(Replayer replayer) {
        reprise.recoverBeforeServing(replayer);
    }

    @Override
    public Idempotency idempotency() {
        return reprise.idempotency();
    }

    @Override
    public boolean sessions() {
        return reprise.config().sessions();
    }

    @Override
    public void addSnapshotSection(SnapshotSection section) {
        reprise.addSnapshotSection(section);
    }

    @Override
    public void unsupported(String server) {
        if (unsupportedLogged.add(server)) {
            LOG.log(Level.WARNING, unsupportedLine(server));
        }
    }

    /** The line for an unsupported server, naming what the adapters support. */
    String unsupportedLine(String server) {
        String supported = adapters.stream().map(ServerAdapter::supports).filter(s -> !s.isEmpty())
                .collect(Collectors.joining("; "));
        return "reprise: " + server + " is not supported: its requests are not journaled and the journal is not "
                + "replayed. Supported: " + supported + "; see docs/servers.md";
    }

    @Override
    public boolean served(String family) {
        return adapters.stream().anyMatch(a -> a.families().contains(family));
    }

    @Override
    public <T> T shared(Class<T> key, Supplier<T> factory) {
        return key.cast(shared.computeIfAbsent(key, k -> factory.get()));
    }
}
