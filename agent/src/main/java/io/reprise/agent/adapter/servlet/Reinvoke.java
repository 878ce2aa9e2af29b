package io.reprise.agent.adapter.servlet;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Calls an instrumented entry method again, with Reprise's request and response in place of the container's.
 * The advice skipped the original call; this one passes the advice (the request is marked as taken) and runs
 * the container's code. Method handles are looked up once per container class.
 */
public final class Reinvoke {

    private final String name;
    private final int arity;
    private final ClassValue<MethodHandle> handles = new ClassValue<>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            return lookup(type);
        }
    };

    /** The method {@code name} with {@code arity} parameters of the woven class or a superclass. */
    public Reinvoke(String name, int arity) {
        this.name = name;
        this.arity = arity;
    }

    public void invoke(Object self, Object request, Object response) throws Exception {
        try {
            handles.get(self.getClass()).invoke(self, request, response);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public void invoke(Object self, Object arg0, Object arg1, Object request, Object response) throws Exception {
        try {
            handles.get(self.getClass()).invoke(self, arg0, arg1, request, response);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private MethodHandle lookup(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(name) && m.getParameterCount() == arity && !m.isBridge()) {
                    try {
                        m.setAccessible(true);
                        Class<?>[] objects = new Class<?>[arity + 1];
                        Arrays.fill(objects, Object.class);
                        return MethodHandles.lookup().unreflect(m).asType(MethodType.methodType(void.class, objects));
                    } catch (IllegalAccessException | RuntimeException e) {
                        throw new IllegalStateException("reprise: cannot call " + c.getName() + "." + name + ": " + e, e);
                    }
                }
            }
        }
        throw new IllegalStateException("reprise: " + type.getName() + " has no method " + name + " with " + arity + " parameters");
    }
}
