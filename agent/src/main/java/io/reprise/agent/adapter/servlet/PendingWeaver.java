package io.reprise.agent.adapter.servlet;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

/**
 * Keeps premain lean: building Byte Buddy's transformer costs a few hundred milliseconds, so it is built on a
 * background thread while the application starts, and this plain transformer stands in for it. Until it is ready,
 * classes pass untouched, except the few the servlet adapter weaves: their loading waits for it. Once ready, every
 * call goes straight to it.
 */
final class PendingWeaver implements ClassFileTransformer {

    private static final Logger LOG = System.getLogger("io.reprise.adapter.servlet");

    private final CompletableFuture<ClassFileTransformer> weaver;
    private final Predicate<String> woven; // binary names, e.g. org.apache.catalina.connector.Connector
    private volatile boolean failureLogged;

    PendingWeaver(CompletableFuture<ClassFileTransformer> weaver, Predicate<String> woven) {
        this.weaver = weaver;
        this.woven = woven;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String internalName, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) throws IllegalClassFormatException {
        ClassFileTransformer t = ready(internalName);
        return t == null ? null : t.transform(module, loader, internalName, redefined, domain, bytes);
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> redefined, ProtectionDomain domain,
                            byte[] bytes) throws IllegalClassFormatException {
        ClassFileTransformer t = ready(internalName);
        return t == null ? null : t.transform(loader, internalName, redefined, domain, bytes);
    }

    private ClassFileTransformer ready(String internalName) {
        ClassFileTransformer t = weaver.getNow(null);
        if (t != null || internalName == null || !woven.test(internalName.replace('/', '.'))) {
            return t;
        }
        try {
            return weaver.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            if (!failureLogged) {
                failureLogged = true;
                LOG.log(Level.ERROR, "reprise: cannot weave servlet containers (" + e.getCause()
                        + "); Tomcat and Jetty requests are NOT journaled", e.getCause());
            }
            return null;
        }
    }
}
