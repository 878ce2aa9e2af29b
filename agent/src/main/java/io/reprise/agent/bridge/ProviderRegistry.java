package io.reprise.agent.bridge;

import java.util.ArrayList;
import java.util.List;

/**
 * Where {@code io.reprise.snapshot.SnapshotProviders.register} hands a provider to the agent.
 *
 * <p>This class sits in the visible part of the agent jar (the system class path), so application code in
 * any class loader finds it through the system class loader. Providers are kept as plain objects: the agent
 * calls them reflectively through the {@code SnapshotProvider} interface of the loader that defined them,
 * so the agent never links against a copy of the SPI that the application might not share.
 */
public final class ProviderRegistry {

    private static final List<Object> PROVIDERS = new ArrayList<>();
    private static boolean active;

    private ProviderRegistry() {
        throw new AssertionError("ProviderRegistry cannot be instantiated");
    }

    /**
     * Takes {@code provider} if the agent runs (it may be on the class path while {@code reprise.enabled=false}).
     * Returns whether it was taken.
     */
    public static synchronized boolean register(Object provider) {
        if (provider == null) {
            throw new NullPointerException("provider");
        }
        if (!active) {
            return false;
        }
        if (!PROVIDERS.contains(provider)) {
            PROVIDERS.add(provider);
        }
        return true;
    }

    /** Called by the agent once it runs. */
    public static synchronized void activate() {
        active = true;
    }

    public static synchronized List<Object> registered() {
        return new ArrayList<>(PROVIDERS);
    }
}
