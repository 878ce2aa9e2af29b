package io.reprise.agent.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
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
    private final Method writeTo; // Frozen.writeTo, as the application's loader defined Frozen
    /**
     * capture() bound to the provider, as {@code ()Object}: called while writers wait, so through a method handle.
     * Reflection on JDK 17 generates an accessor class on a method's 16th call, a millisecond and more inside the
     * order on the 16th snapshot.
     */
    private final MethodHandle captureHandle; // null when the application's SPI jar predates capture()

    private ProviderHandle(Object provider, Method save, Method restore, Method reset, Method capture) {
        this.provider = provider;
        this.save = save;
        this.restore = restore;
        this.reset = reset;
        Method frozenWrite = null;
        if (capture != null) {
            try {
                frozenWrite = capture.getReturnType().getMethod("writeTo", OutputStream.class);
            } catch (NoSuchMethodException e) {
                frozenWrite = null;
            }
        }
        this.writeTo = frozenWrite;
        MethodHandle handle = null;
        if (capture != null && frozenWrite != null) {
            try {
                handle = MethodHandles.publicLookup().unreflect(capture).bindTo(provider).asType(MethodType.methodType(Object.class));
            } catch (IllegalAccessException e) {
                throw new IllegalArgumentException("cannot call " + capture + " on " + provider.getClass().getName(), e);
            }
        }
        this.captureHandle = handle;
    }

    /** Wraps {@code provider}, which must implement the SPI as seen from its own class loader. */
    public static ProviderHandle of(Object provider) {
        Class<?> spi = spiOf(provider.getClass());
        if (spi == null) {
            throw new IllegalArgumentException(provider.getClass().getName() + " does not implement " + SPI);
        }
        try {
            return new ProviderHandle(provider, spi.getMethod("save", OutputStream.class), spi.getMethod("restore", InputStream.class),
                    optional(spi, "reset"), optional(spi, "capture"));
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(SPI + " seen by " + provider.getClass().getName()
                    + " lacks save(OutputStream)/restore(InputStream); is the application's reprise-snapshot jar current?", e);
        }
    }

    private static Method optional(Class<?> spi, String name) {
        try {
            return spi.getMethod(name);
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
     * The provider's {@code capture()}: the state frozen now, to be written later by {@link Frozen#writeTo}; null when
     * the provider has no frozen view (the default, or an SPI jar older than {@code capture()}), and {@link #save}
     * must run while the order is held.
     */
    public Frozen capture() throws IOException {
        if (captureHandle == null) {
            return null;
        }
        Object frozen;
        try {
            frozen = (Object) captureHandle.invokeExact();
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e); // a checked exception capture() does not declare: sneaked past the compiler
        }
        if (frozen == null) {
            return null;
        }
        return out -> invokeOn(frozen, writeTo, out);
    }

    /** A state frozen by {@code capture()}, in the agent's own types. */
    @FunctionalInterface
    public interface Frozen {
        void writeTo(OutputStream out) throws IOException;
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

    private Object invoke(Method method, Object... arguments) throws IOException {
        return invokeOn(provider, method, arguments);
    }

    private Object invokeOn(Object target, Method method, Object... arguments) throws IOException {
        try {
            return method.invoke(target, arguments);
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
