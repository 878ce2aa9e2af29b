package io.reprise.agent.bridge;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Test double for the agent's registry: same name and entry point as the class in the agent jar, so that
 * {@code SnapshotProviders.register} finds it on the system class path, as it finds the real one when the
 * agent runs. Records what it is given, or refuses it.
 */
public final class ProviderRegistry {

    public static final List<Object> REGISTERED = new CopyOnWriteArrayList<>();

    /** When set, {@link #register(Object)} throws it instead of taking the provider. */
    public static volatile RuntimeException refusal;

    private ProviderRegistry() {
    }

    /** When false, {@link #register(Object)} declines, as the real registry does while the agent is disabled. */
    public static volatile boolean active = true;

    public static boolean register(Object provider) {
        RuntimeException refuse = refusal;
        if (refuse != null) {
            throw refuse;
        }
        if (!active) {
            return false;
        }
        REGISTERED.add(provider);
        return true;
    }

    public static void reset() {
        REGISTERED.clear();
        refusal = null;
        active = true;
    }
}
