package io.reprise.agent.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * An application's {@code io.reprise.snapshot.SnapshotProvider}, called reflectively through the interface
 * as the application's own class loader defined it. The agent has its own isolated copy of the snapshot
 * module and must not assume the application sees the same {@code Class}.
 */
public final class ProviderHandle {

    static final String SPI = "io.reprise.snapshot.SnapshotProvider";

    private final Object provider;
    private final Method save;
    private final Method restore;
    private final Method reset; // null when the application's SPI jar predates reset()

    private ProviderHandle(Object provider, Method save, Method restore, Method reset) {
        this.provider = provider;
        this.save = save;
        this.restore = restore;
        this.reset = reset;
    }

    /** Wraps {@code provider}, which must implement the SPI as seen from its own class loader. */
    public static ProviderHandle of(Object provider) {
        Class<?> spi = spiOf(provider.getClass());
        if (spi == null) {
            throw new IllegalArgumentException(provider.getClass().getName() + " does not implement " + SPI);
        }
        try {
            return new ProviderHandle(provider, spi.getMethod("save", OutputStream.class), spi.getMethod("restore", InputStream.class),
                    resetOf(spi));
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(SPI + " seen by " + provider.getClass().getName()
                    + " lacks save(OutputStream)/restore(InputStream); is the application's reprise-snapshot jar current?", e);
        }
    }

    private static Method resetOf(Class<?> spi) {
        try {
            return spi.getMethod("reset");
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Class<?> spiOf(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (i.getName().equals(SPI)) {
                    return i;
                }
                Class<?> inherited = spiOf(i);
                if (inherited != null) {
                    return inherited;
                }
            }
        }
        return null;
    }

    public void save(OutputStream out) throws IOException {
        invoke(save, out);
    }

    public void restore(InputStream in) throws IOException {
        invoke(restore, in);
    }

    /**
     * Resets the state to the application's initial one.
     *
     * @throws UnsupportedOperationException when the provider does not implement {@code reset()}
     */
    public void reset() throws IOException {
        if (reset == null) {
            throw new UnsupportedOperationException(describe() + " was compiled against a reprise-snapshot without reset()");
        }
        invoke(reset);
    }

    Object target() {
        return provider;
    }

    private void invoke(Method method, Object... arguments) throws IOException {
        try {
            method.invoke(provider, arguments);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new IOException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call " + method + " on " + describe(), e);
        }
    }

    /** The provider's class name, for logs. */
    public String describe() {
        return provider.getClass().getName();
    }
}
