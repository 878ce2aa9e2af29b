package io.reprise.agent.weaving;

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
 * Keeps the cost of weaving where a woven server is. Byte Buddy's transformer takes some 900 classes and a few
 * hundred milliseconds of CPU to build, which an application on the JDK's HTTP server, or any application without
 * a woven server, should not pay at start-up. So this plain transformer stands in for it, for every adapter's
 * {@link io.reprise.agent.spi.Weaving} at once:
 *
 * <ul>
 *   <li>it starts building Byte Buddy's transformer on a background thread when the first class of a server
 *       family, or Spring Boot's {@code SpringApplication}, is loaded (the adapters' heralds): early enough that
 *       the build runs while the server or the Spring context is still starting;</li>
 *   <li>it hands Byte Buddy only the few classes the adapters weave (every matcher is a name matcher, on the same
 *       names as {@code woven}); their loading waits for the build. Every other class passes untouched after one
 *       lookup, before and after the build.</li>
 * </ul>
 */
public final class PendingWeaver implements ClassFileTransformer {

    private static final Logger LOG = System.getLogger("io.reprise.adapter");

    private final List<String> heralds; // internal-name prefixes whose loading means a woven server is coming
    private final BackgroundTask<ClassFileTransformer> weaver;
    private final Predicate<String> woven; // binary names, e.g. org.apache.catalina.connector.Connector
    private final String failureConsequence;
    private volatile boolean failureLogged;

    /**
     * @param failureConsequence what a failed build means, for its log line: "Tomcat and Jetty requests are NOT
     *     journaled"
     */
    public PendingWeaver(List<String> heralds, Callable<ClassFileTransformer> build, Predicate<String> woven,
                         String failureConsequence) {
        this.heralds = List.copyOf(heralds);
        this.weaver = new BackgroundTask<>("reprise-weaver", build);
        this.woven = woven;
        this.failureConsequence = failureConsequence;
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
        if (!weaver.started() && heralds(heralds, internalName)) {
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
                LOG.log(Level.ERROR, "reprise: cannot weave the servers' classes (" + e.getCause() + "); "
                        + failureConsequence, e.getCause());
            }
            return null;
        }
    }

    static boolean heralds(List<String> heralds, String internalName) {
        for (String prefix : heralds) {
            if (internalName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
