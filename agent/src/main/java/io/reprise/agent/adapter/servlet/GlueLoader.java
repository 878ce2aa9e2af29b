package io.reprise.agent.adapter.servlet;

import java.io.IOException;
import java.io.InputStream;

/**
 * Defines the servlet glue of one namespace next to one servlet API.
 *
 * <p>The glue extends {@code HttpServletRequestWrapper} and friends, so it must link against the very servlet
 * API classes the container uses, which only the container's (or application's) loader has. The agent's own
 * loader cannot see them, and the application's loaders must not see the agent (C8). This loader sits between:
 * its parent is the loader that defined the servlet API; names under {@code io.reprise.} come from the agent's
 * loader; the glue package itself is defined here, from the bytes in the agent jar. One glue class per
 * namespace, compiled once, with no reflection on the request path.
 */
final class GlueLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader agentLoader;
    private final String gluePackage;

    GlueLoader(ClassLoader servletApiLoader, ClassLoader agentLoader, String gluePackage) {
        super("reprise-servlet-glue", servletApiLoader);
        this.agentLoader = agentLoader;
        this.gluePackage = gluePackage + ".";
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(gluePackage)) {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    c = define(name);
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
        if (name.startsWith("io.reprise.")) {
            return agentLoader.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    private Class<?> define(String name) throws ClassNotFoundException {
        String resource = name.replace('.', '/') + ".class";
        try (InputStream in = agentLoader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new ClassNotFoundException(name + ": not in the agent jar");
            }
            byte[] bytes = in.readAllBytes();
            return defineClass(name, bytes, 0, bytes.length, GlueLoader.class.getProtectionDomain());
        } catch (IOException e) {
            throw new ClassNotFoundException(name, e);
        }
    }
}
