package io.reprise.agent.adapter.servlet;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the {@link Glue} for a request object: the namespace its class implements ({@code jakarta.servlet} or
 * {@code javax.servlet}), and the class loader that defined that API. Looked up once per request class; linked once
 * per servlet API loader, successfully or not.
 */
final class Glues {

    private static final Logger LOG = System.getLogger("io.reprise.adapter.servlet");

    private static final String[][] NAMESPACES = {
            {"jakarta.servlet.http.HttpServletRequest", "io.reprise.agent.adapter.servlet.jakarta", "jakarta.servlet.ServletContext"},
            {"javax.servlet.http.HttpServletRequest", "io.reprise.agent.adapter.servlet.javax", "javax.servlet.ServletContext"},
    };

    private final ServletKit adapter;
    private final ClassLoader agentLoader;
    /** One glue per servlet API loader; a container's API loader lives as long as the container. */
    private final Map<ClassLoader, Glue> byApiLoader = new ConcurrentHashMap<>();
    private final ClassValue<Glue> byRequestClass = new ClassValue<>() {
        @Override
        protected Glue computeValue(Class<?> type) {
            return create(type);
        }
    };

    Glues(ServletKit adapter, ClassLoader agentLoader) {
        this.adapter = adapter;
        this.agentLoader = agentLoader;
    }

    /** The glue for {@code request}, or null if it is no HTTP servlet request. */
    Glue forRequest(Object request) {
        return request == null ? null : byRequestClass.get(request.getClass());
    }

    /** The glue for a web application's {@code ServletContext}, or null if it is none. */
    Glue forServletContext(Object servletContext) {
        for (String[] namespace : NAMESPACES) {
            Class<?> api = find(servletContext.getClass(), namespace[2]);
            if (api != null && api.getClassLoader() != null) {
                return linked(api, namespace[1]);
            }
        }
        return null;
    }

    /** The glue for the servlet API that {@code loader} sees, or null if it sees none. */
    Glue forLoader(ClassLoader loader) {
        for (String[] namespace : NAMESPACES) {
            Class<?> api;
            try {
                api = Class.forName(namespace[2], false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                continue;
            }
            if (api.getClassLoader() != null) {
                return linked(api, namespace[1]);
            }
        }
        return null;
    }

    private Glue create(Class<?> requestClass) {
        for (String[] namespace : NAMESPACES) {
            Class<?> api = find(requestClass, namespace[0]);
            if (api != null && api.getClassLoader() != null) {
                return linked(api, namespace[1]);
            }
        }
        return null;
    }

    /** The glue of {@code gluePackage} for the servlet API that {@code api} belongs to, linked once per API loader. */
    private Glue linked(Class<?> api, String gluePackage) {
        return byApiLoader.computeIfAbsent(api.getClassLoader(), loader -> load(loader, gluePackage));
    }

    /**
     * The glue linked against the servlet API of {@code apiLoader}; if it cannot be linked, an {@link UnlinkedGlue},
     * once: {@code byApiLoader} keeps it, where a {@code ClassValue} would try again for every request.
     */
    private Glue load(ClassLoader apiLoader, String gluePackage) {
        try {
            GlueLoader loader = new GlueLoader(apiLoader, agentLoader, gluePackage);
            Class<?> glue = Class.forName(gluePackage + ".ServletGlue", true, loader);
            return (Glue) glue.getConstructor(ServletKit.class).newInstance(adapter);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            String failure = "Reprise's servlet adapter could not be linked against the servlet API of " + apiLoader + " ("
                    + (e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e) + ")";
            LOG.log(Level.ERROR, "reprise: " + failure + ": journaled requests on this servlet API are refused with 503 "
                    + "and not applied; other requests run untouched. Report it with the container and servlet API versions");
            return new UnlinkedGlue(adapter, failure);
        }
    }

    /** The supertype of {@code type} named {@code name}, without loading anything. */
    private static Class<?> find(Class<?> type, String name) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(name)) {
                return c;
            }
            for (Class<?> i : c.getInterfaces()) {
                Class<?> found = find(i, name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }
}
