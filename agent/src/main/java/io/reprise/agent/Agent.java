package io.reprise.agent;

import io.reprise.agent.bridge.ProviderRegistry;
import io.reprise.agent.config.Config;
import io.reprise.agent.config.ConfigException;
import io.reprise.agent.determinism.CallSiteTransformer;
import io.reprise.agent.determinism.DeterminismReport;
import io.reprise.agent.k8s.KubernetesSupport;
import io.reprise.journal.DataDirLockedException;
import io.reprise.k8s.KubernetesException;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.instrument.Instrumentation;

/**
 * The agent's entry point inside its own class loader, called from
 * {@link io.reprise.agent.bootstrap.RepriseAgent#premain}.
 *
 * <p>Keep this lean: it runs before the application's {@code main}. Opening the journal happens on a
 * background thread; recovery waits until an adapter is about to open a port.
 */
public final class Agent {

    private static final Logger LOG = System.getLogger("io.reprise");

    /** Held so that java.util.logging, which keeps loggers weakly, does not forget the level set on it. */
    private static java.util.logging.Logger chronicleLogger;
    private static java.util.logging.Logger affinityLogger;

    private Agent() {
        throw new AssertionError("Agent cannot be instantiated");
    }

    public static void start(String agentArgs, Instrumentation instrumentation) {
        long started = System.nanoTime();
        Config config;
        try {
            config = Config.load(agentArgs);
        } catch (ConfigException e) {
            fail("reprise: configuration error: " + e.getMessage());
            return;
        }
        if (!config.enabled()) {
            LOG.log(Level.INFO, "reprise: disabled (reprise.enabled=false); the application runs without journaling");
            return;
        }
        quietChronicle();
        // Chronicle's classes take a few hundred ms to initialise; start now, beside the rest of premain and the
        // application's own start, rather than when the journal is opened (after the lock, or the Lease in a pod).
        Thread warmUp = new Thread(io.reprise.journal.Journal::warmUp, "reprise-journal-warm-up");
        warmUp.setDaemon(true);
        warmUp.start();
        // Before any application class loads: their clock, UUID and random calls are rewritten as they do.
        CallSiteTransformer determinism = config.deterministic() ? CallSiteTransformer.install(instrumentation) : null;
        if (config.checkMode()) {
            // No lock, no Lease, nothing written: the directory is a copy, or production's own, read while it runs.
            Reprise check = Reprise.check(config);
            Adapters.install(check, instrumentation);
            ProviderRegistry.activate();
            LOG.log(Level.INFO, "reprise: check mode: the data directory " + config.dataDirectory() + " is replayed "
                    + "through the application when its server starts, and the process then exits; nothing is written");
            return;
        }
        KubernetesSupport kubernetes;
        try {
            kubernetes = KubernetesSupport.start(config); // volume checks, pod or not; no network call
        } catch (KubernetesException e) {
            fail("reprise: " + e.getMessage());
            return;
        }
        Reprise reprise;
        try {
            // In a pod, the journal is opened only once the Lease is held (C7).
            reprise = Reprise.start(config, !kubernetes.fencesWithLease());
        } catch (DataDirLockedException e) {
            fail("reprise: data directory " + e.directory() + " is in use by another process (pid " + e.holderPid()
                    + "); two processes must never append to one journal. Stop the other process, or give this one"
                    + " its own directory with -Dreprise.dir=...");
            return;
        } catch (IOException e) {
            fail("reprise: cannot use data directory " + config.dataDirectory() + ": " + e);
            return;
        }
        if (kubernetes.fencesWithLease()) {
            reprise.lifecycles().add(kubernetes.lifecycle());
        }
        Adapters.install(reprise, instrumentation);
        ProviderRegistry.activate();
        LOG.log(Level.INFO, String.format("reprise: agent started in %.1f ms: data directory %s, journaling %s, sync %s, %s",
                (System.nanoTime() - started) / 1e6, config.dataDirectory(), config.journaledMethods(),
                config.sync().name().toLowerCase(), determinism == null
                        ? "clock and random values live on replay (reprise.deterministic=false)"
                        : "clock and random values recorded (reprise.deterministic=true)"));
        if (determinism != null) {
            reprise.lifecycles().add(new DeterminismReport(determinism));
        }
    }

    /**
     * Chronicle would announce itself, send usage analytics and unpack JNA into the home directory (brief,
     * section 6). The agent makes no network connection of its own (C8).
     */
    private static void quietChronicle() {
        setIfAbsent("chronicle.analytics.disable", "true");
        setIfAbsent("chronicle.announcer.disable", "true");
        setIfAbsent("jna.tmpdir", System.getProperty("java.io.tmpdir"));
        // Chronicle logs routine details (mapping times, where it was loaded from) at INFO; Reprise logs one
        // INFO line per phase itself. Unless the application configured this logger, keep Chronicle's warnings.
        java.util.logging.Logger chronicle = java.util.logging.Logger.getLogger("net.openhft");
        if (chronicle.getLevel() == null) {
            chronicle.setLevel(java.util.logging.Level.WARNING);
        }
        chronicleLogger = chronicle;
        // JNA is left out of the agent (pom.xml): Chronicle's thread affinity says so at WARNING and pins nothing,
        // which the journal never asked it to.
        java.util.logging.Logger affinity = java.util.logging.Logger.getLogger("net.openhft.affinity");
        if (affinity.getLevel() == null) {
            affinity.setLevel(java.util.logging.Level.SEVERE);
        }
        affinityLogger = affinity;
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** A start-up error the operator must fix: one clear line, then the JVM stops before serving anything. */
    private static void fail(String message) {
        System.err.println(message);
        System.err.flush();
        System.exit(2);
    }
}
