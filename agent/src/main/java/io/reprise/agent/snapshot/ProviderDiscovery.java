package io.reprise.agent.snapshot;

import io.reprise.agent.bridge.ProviderRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * Finds the application's snapshot provider: those registered from application code with
 * {@code SnapshotProviders.register}, then those listed in
 * {@code META-INF/services/io.reprise.snapshot.SnapshotProvider} on the application's class loader.
 * One provider covers the whole state; more than one is a configuration error.
 */
public final class ProviderDiscovery {

    private ProviderDiscovery() {
    }

    public static Optional<ProviderHandle> find(ClassLoader applicationLoader) {
        Map<String, Object> byClass = new LinkedHashMap<>();
        for (Object registered : ProviderRegistry.registered()) {
            byClass.putIfAbsent(registered.getClass().getName(), registered);
        }
        for (Object loaded : serviceLoaded(applicationLoader)) {
            byClass.putIfAbsent(loaded.getClass().getName(), loaded);
        }
        if (byClass.isEmpty()) {
            return Optional.empty();
        }
        if (byClass.size() > 1) {
            throw new IllegalStateException("reprise: found " + byClass.size() + " snapshot providers " + byClass.keySet()
                    + "; one SnapshotProvider must save and restore the whole state. Combine them into one.");
        }
        return Optional.of(ProviderHandle.of(byClass.values().iterator().next()));
    }

    private static List<Object> serviceLoaded(ClassLoader loader) {
        List<Object> found = new ArrayList<>();
        if (loader == null) {
            return found;
        }
        Class<?> spi;
        try {
            spi = Class.forName(ProviderHandle.SPI, false, loader);
        } catch (ClassNotFoundException e) {
            return found; // the application does not use the SPI
        }
        try {
            for (Object provider : ServiceLoader.load(spi, loader)) {
                found.add(provider);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException("reprise: a SnapshotProvider listed in META-INF/services could not be loaded: "
                    + e.getMessage(), e);
        }
        return found;
    }
}
