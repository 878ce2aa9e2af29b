package io.reprise.agent.adapter.servlet;

import io.reprise.agent.BackgroundTask;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.security.ProtectionDomain;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

/**
 * Keeps the servlet adapter's cost where a servlet container is. Byte Buddy's transformer takes some 900 classes
 * and a few hundred milliseconds of CPU to build, which an application on the JDK's HTTP server, or any
 * application without a container, should not pay at start-up. So this plain transformer stands in for it:
 *
 * <ul>
 *   <li>it starts building Byte Buddy's transformer on a background thread when the first class of a container
 *       family, or Spring Boot's {@code SpringApplication}, is loaded ({@link #HERALDS}): early enough that the
 *       build runs while the container or the Spring context is still starting;</li>
 *   <li>it hands Byte Buddy only the few classes the adapter weaves (every matcher of the adapter is a name
 *       matcher, the same names as {@code woven}); their loading waits for the build. Every other class passes
 *       untouched after one string comparison, before and after the build.</li>
 * </ul>
 */
final class PendingWeaver implements ClassFileTransformer {

    private static final Logger LOG = System.getLogger("io.reprise.adapter.servlet");

    /** Internal-name prefixes whose loading means a servlet container (or a server we recognise) is coming. */
    static final List<String> HERALDS = List.of(
            "org/springframework/boot/SpringApplication", "org/apache/catalina/", "org/apache/coyote/",
            "org/eclipse/jetty/", "io/undertow/", "jakarta/servlet/", "javax/servlet/");

    private final BackgroundTask<ClassFileTransformer> weaver;
    private final Predicate<String> woven; // binary names, e.g. org.apache.catalina.connector.Connector
    private volatile boolean failureLogged;

    PendingWeaver(Callable<ClassFileTransformer> build, Predicate<String> woven) {
        this.weaver = new BackgroundTask<>("reprise-servlet-weaver", build);
        this.woven = woven;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String internalName, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) throws IllegalClassFormatException {
        ClassFileTransformer t = weaverFor(internalName);
        return t == null ? null : t.transform(module, loader, internalName, redefined, domain, bytes);
    }

    @Override
    public byte[] transform(ClassLoader loader, String internalName, Class<?> redefined, ProtectionDomain domain,
                            byte[] bytes) throws IllegalClassFormatException {
        ClassFileTransformer t = weaverFor(internalName);
        return t == null ? null : t.transform(loader, internalName, redefined, domain, bytes);
    }

    /** Whether Byte Buddy's transformer is being built or ready (for tests and diagnostics). */
    boolean started() {
        return weaver.started();
    }

    /** Byte Buddy's transformer if this class is one the adapter weaves (waiting for it), else null. */
    private ClassFileTransformer weaverFor(String internalName) {
        if (internalName == null) {
            return null;
        }
        if (!weaver.started() && heralds(internalName)) {
            weaver.start();
        }
        if (!woven.test(internalName.replace('/', '.'))) {
            return null;
        }
        weaver.start(); // a woven class may come first, e.g. when loaded by name
        try {
            return weaver.result().join();
        } catch (CompletionException | CancellationException e) {
            if (!failureLogged) {
                failureLogged = true;
                LOG.log(Level.ERROR, "reprise: cannot weave servlet containers (" + e.getCause()
                        + "); Tomcat and Jetty requests are NOT journaled", e.getCause());
            }
            return null;
        }
    }

    static boolean heralds(String internalName) {
        for (String prefix : HERALDS) {
            if (internalName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
