package io.reprise.agent.bootstrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.security.ProtectionDomain;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Loads the agent's own classes and libraries (Chronicle, SLF4J, ...) from {@code inst/} inside
 * {@code reprise-agent.jar}, where class files are stored as {@code .classdata}.
 *
 * <p>Its parent is the platform class loader, so the application's class path, with whatever versions of
 * the same libraries it carries, is invisible to the agent and the agent's libraries are invisible to the
 * application (C8). The one exception is the {@code io.reprise.agent.bridge} package, the few classes that
 * both sides must share, which is delegated to the loader of the agent jar itself.
 */
final class AgentClassLoader extends ClassLoader {

    static final String PREFIX = "inst/";
    private static final String BRIDGE = "io.reprise.agent.bridge.";

    static {
        registerAsParallelCapable();
    }

    private final JarFile jar;
    private final String jarUrl;
    private final ClassLoader bridgeLoader;
    private final ProtectionDomain protectionDomain;

    AgentClassLoader(Path jarPath, ClassLoader bridgeLoader) throws IOException {
        super("reprise-agent", ClassLoader.getPlatformClassLoader());
        this.jar = new JarFile(jarPath.toFile(), false);
        this.jarUrl = jarPath.toUri().toURL().toExternalForm();
        this.bridgeLoader = bridgeLoader;
        this.protectionDomain = new ProtectionDomain(new CodeSource(jarPath.toUri().toURL(), (Certificate[]) null), null, this, null);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(BRIDGE)) {
            return bridgeLoader.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        JarEntry entry = jar.getJarEntry(PREFIX + name.replace('.', '/') + ".classdata");
        if (entry == null) {
            throw new ClassNotFoundException(name);
        }
        byte[] bytes;
        try (InputStream in = jar.getInputStream(entry)) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new ClassNotFoundException(name + " could not be read from " + jar.getName(), e);
        }
        int dot = name.lastIndexOf('.');
        if (dot > 0) {
            String pkg = name.substring(0, dot);
            if (getDefinedPackage(pkg) == null) {
                try {
                    definePackage(pkg, null, null, null, null, null, null, null);
                } catch (IllegalArgumentException raced) {
                    // another thread defined it first
                }
            }
        }
        return defineClass(name, bytes, 0, bytes.length, protectionDomain);
    }

    @Override
    protected URL findResource(String name) {
        String path = name.startsWith("/") ? name.substring(1) : name;
        if (path.endsWith(".class")) {
            path = path.substring(0, path.length() - ".class".length()) + ".classdata";
        }
        if (jar.getJarEntry(PREFIX + path) == null) {
            return null;
        }
        try {
            return new URL("jar:" + jarUrl + "!/" + PREFIX + path);
        } catch (MalformedURLException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) {
        URL url = findResource(name);
        return url == null ? Collections.emptyEnumeration() : Collections.enumeration(Collections.singletonList(url));
    }
}
