package io.reprise.agent.adapter.servlet;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/** Calls on a container's objects, whose classes only the application's loader has, through their public types. */
public final class Reflect {

    private Reflect() {
    }

    public static Object call(Object target, String name) throws ReflectiveOperationException {
        return call(target, name, new Class<?>[0]);
    }

    /** Calls the public method; an unchecked exception it throws is rethrown as it is. */
    public static Object call(Object target, String name, Class<?>[] types, Object... args)
            throws ReflectiveOperationException {
        Method m = publicMethod(target.getClass(), name, types);
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /** The method as declared by a public class or interface, so that it can be called without opening anything. */
    static Method publicMethod(Class<?> type, String name, Class<?>[] types) throws NoSuchMethodException {
        Method m = type.getMethod(name, types);
        if (Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
            return m;
        }
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (Modifier.isPublic(i.getModifiers())) {
                    try {
                        return i.getMethod(name, types);
                    } catch (NoSuchMethodException ignored) {
                        // not this one
                    }
                }
            }
        }
        return m;
    }
}
