package io.reprise.agent.adapter.servlet;

import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link Glue} of a servlet API that the real glue could not be linked against (a servlet API jar lacking a
 * class the glue needs, a class loader that refuses to define it). It needs no servlet types: it calls the few
 * methods it needs by reflection, through the public servlet interfaces. Requests that would not be journaled run
 * untouched, as without the agent (C3); journaled ones are answered {@code 503} and not applied, since they could not
 * be journaled (C1). Reflection is slow next to the real glue, but this runs only in that broken state.
 */
final class UnlinkedGlue implements Glue {

    private static final ClassValue<Map<String, Method>> METHODS = new ClassValue<>() {
        @Override
        protected Map<String, Method> computeValue(Class<?> type) {
            return new ConcurrentHashMap<>();
        }
    };

    private final ServletAdapter adapter;
    private final String reason;

    /** @param reason why the glue is missing, for the 503 answer */
    UnlinkedGlue(ServletAdapter adapter, String reason) {
        this.adapter = adapter;
        this.reason = reason;
    }

    @Override
    public boolean journaled(Object request) {
        if (!mayBeJournaled(adapter, request)) {
            return false;
        }
        String method = (String) call(request, "getMethod");
        String servletPath = (String) call(request, "getServletPath");
        String info = (String) call(request, "getPathInfo");
        String context = (String) call(call(request, "getServletContext"), "getContextPath");
        return adapter.journalsPath(method, (String) call(request, "getRequestURI"),
                context + servletPath + (info == null ? "" : info));
    }

    @Override
    public Object sessionListener(SessionRecords records, String key) {
        return null;
    }

    @Override
    public void handle(Object request, Object response, Proceed proceed, Set<String> formMethods) throws Exception {
        refuse(response, reason);
    }

    /**
     * Whether {@code request} is the outermost entry of a request with a journaled method: a {@code REQUEST}
     * dispatch not taken by Reprise yet. Says nothing about its path.
     */
    static boolean mayBeJournaled(ServletAdapter adapter, Object request) {
        return adapter.journalsMethod((String) call(request, "getMethod"))
                && "REQUEST".equals(String.valueOf(call(request, "getDispatcherType")))
                && call(request, "getAttribute", Glue.TAKEN) == null;
    }

    /** Answers {@code 503} with Reprise's usual text, through the servlet response's public methods. */
    static void refuse(Object response, String reason) throws java.io.IOException {
        byte[] text = ("reprise: request not applied: " + reason + "\n").getBytes(StandardCharsets.UTF_8);
        call(response, "resetBuffer");
        call(response, "setStatus", 503);
        call(response, "setHeader", "Retry-After", "1");
        call(response, "setContentType", "text/plain;charset=utf-8");
        call(response, "setContentLength", text.length);
        OutputStream out = (OutputStream) call(response, "getOutputStream"); // a ServletOutputStream is one
        out.write(text);
    }

    /** Calls a public servlet API method; a failure of reflection itself is an {@link IllegalStateException}. */
    private static Object call(Object target, String name, Object... args) {
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
    private static Method publicMethod(Class<?> type, String name, int arity) throws NoSuchMethodException {
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
