package io.reprise.snapshot;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Objects;

/**
 * Hands a {@link SnapshotProvider} to the Reprise agent from application code.
 *
 * <p>Use this for providers that {@link java.util.ServiceLoader} cannot create, typically because they need
 * objects from a dependency-injection container. Call it before the HTTP server opens its port: recovery runs
 * at that moment, and Reprise can only restore through a provider it already has.
 *
 * <pre>{@code
 * @Component
 * class AccountSnapshots implements SnapshotProvider {
 *     AccountSnapshots(Accounts accounts) {
 *         this.accounts = accounts;
 *         SnapshotProviders.register(this);
 *     }
 *     ...
 * }
 * }</pre>
 *
 * <p>The call is safe without the agent: it returns {@code false} and keeps nothing, so the same code runs in
 * unit tests and in deployments without Reprise.
 */
public final class SnapshotProviders {

    /**
     * The agent's entry point for registrations. It lives in the agent jar, which the JVM puts on the system
     * class path for {@code -javaagent}, and takes the provider as {@code Object}: the agent and the
     * application may each have their own copy of {@link SnapshotProvider}, loaded by different class
     * loaders, so this interface cannot appear in the signature.
     */
    private static final String REGISTRY_CLASS = "io.reprise.agent.bridge.ProviderRegistry";

    private SnapshotProviders() {
        throw new UnsupportedOperationException("SnapshotProviders cannot be instantiated");
    }

    /**
     * Registers a provider with the Reprise agent running in this JVM.
     *
     * <p>Use this for providers that cannot be found through
     * {@code META-INF/services/io.reprise.snapshot.SnapshotProvider}, for example a Spring bean registering
     * itself in its constructor or {@code @PostConstruct} method. Register before the HTTP server opens its
     * port.
     *
     * @param provider the provider; Reprise keeps a reference to it
     * @return {@code true} when a Reprise agent runs in this JVM and took the provider; {@code false} when no
     *     agent runs, in which case the call did nothing
     * @throws NullPointerException if {@code provider} is null
     * @throws IllegalStateException if an agent is present but could not take the provider (it refused it, or
     *     the agent's version does not match this library's); the message says which
     */
    public static boolean register(SnapshotProvider provider) {
        Objects.requireNonNull(provider, "provider");
        Class<?> registry;
        try {
            registry = Class.forName(REGISTRY_CLASS, true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException noAgent) {
            return false;
        } catch (LinkageError e) {
            throw new IllegalStateException("The Reprise agent is present but its " + REGISTRY_CLASS
                    + " could not be loaded, so snapshot provider " + describe(provider)
                    + " was not registered: " + e, e);
        }
        Method register = registerMethod(registry, provider);
        try {
            // The agent answers false when its jar is on the class path but it does not run
            // (reprise.enabled=false); a registry that returns nothing took the provider.
            Object taken = register.invoke(null, provider);
            return !(taken instanceof Boolean) || (Boolean) taken;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException("The Reprise agent refused snapshot provider " + describe(provider)
                    + ": " + cause, cause);
        } catch (IllegalAccessException e) {
            throw mismatch(provider, e);
        }
    }

    private static Method registerMethod(Class<?> registry, SnapshotProvider provider) {
        Method register;
        try {
            register = registry.getMethod("register", Object.class);
        } catch (NoSuchMethodException e) {
            throw mismatch(provider, e);
        }
        if (!Modifier.isStatic(register.getModifiers())) {
            throw mismatch(provider, null);
        }
        return register;
    }

    private static IllegalStateException mismatch(SnapshotProvider provider, Exception cause) {
        return new IllegalStateException("The Reprise agent in this JVM has no usable public static "
                + REGISTRY_CLASS + ".register(Object), so snapshot provider " + describe(provider)
                + " was not registered. The versions of reprise-snapshot and the Reprise agent do not match;"
                + " use the same release of both.", cause);
    }

    private static String describe(SnapshotProvider provider) {
        return provider.getClass().getName();
    }
}
