package io.reprise.agent.adapter.servlet;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls on a container's objects, whose classes only the application's loader has, through their public types: by exact
 * parameter types ({@link #call}) for the containers' own classes, by name and arity ({@link #invoke}) for the servlet
 * API's interfaces.
 */
public final class Reflect {

    /** Per class, the methods {@link #invoke} found by name. */
    private static final ClassValue<Map<String, Method>> METHODS = new ClassValue<>() {
        @Override
        protected Map<String, Method> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

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

    /**
     * Calls the public method {@code name} with as many parameters as {@code args}, found on a public type (see
     * {@link #publicMethod(Class, String, int)}) and cached per class: for the servlet API's interfaces, whose methods
     * are not overloaded on arity. An unchecked exception or error it throws is rethrown as it is; anything else
     * comes as an {@link IllegalStateException} naming the method.
     */
    public static Object invoke(Object target, String name, Object... args) {
        Map<String, Method> methods = METHODS.get(target.getClass());
        try {
            Method m = methods.get(name);
            if (m == null) {
                m = publicMethod(target.getClass(), name, args.length);
                methods.put(name, m);
            }
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException("reprise: " + target.getClass().getName() + "." + name + " failed: " + cause, cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("reprise: cannot call " + name + " on " + target.getClass().getName() + ": " + e, e);
        }
    }

    /**
     * The method {@code name} with {@code arity} parameters, declared by a public type in an exported package among
     * {@code type} and its supertypes: the container's own request class may be neither (a proxy, a non-public
     * wrapper), its servlet interfaces are both. The servlet methods called here are not overloaded on arity.
     */
    static Method publicMethod(Class<?> type, String name, int arity) throws NoSuchMethodException {
        ArrayDeque<Class<?>> todo = new ArrayDeque<>();
        todo.add(type);
        while (!todo.isEmpty()) {
            Class<?> c = todo.poll();
            if (Modifier.isPublic(c.getModifiers()) && c.getModule().isExported(c.getPackageName())) {
                for (Method m : c.getMethods()) {
                    if (m.getName().equals(name) && m.getParameterCount() == arity
                            && Modifier.isPublic(m.getDeclaringClass().getModifiers())) {
                        return m;
                    }
                }
            }
            if (c.getSuperclass() != null) {
                todo.add(c.getSuperclass());
            }
            todo.addAll(Arrays.asList(c.getInterfaces()));
        }
        throw new NoSuchMethodException(type.getName() + "." + name + " with " + arity + " parameters, on a public type");
    }
}
