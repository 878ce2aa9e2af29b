package io.reprise.agent.determinism;

import io.reprise.agent.bridge.Determinism;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.concurrent.atomic.AtomicLong;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.utility.OpenedClassReader;

/**
 * Rewrites, in every application and library class as it is loaded, the calls to the JDK's clock, UUID and random
 * methods into calls to {@link Determinism} ({@link CallSites} lists them). Call-site substitution, not
 * instrumentation of the JDK: {@code System.currentTimeMillis} and {@code nanoTime} are intrinsics that cannot be
 * retransformed, and the JDK's own callers (locks, {@code ConcurrentHashMap}, TLS) must keep the real values anyway.
 *
 * <p>Left alone: the JDK's classes (any class of a named module of the boot layer, and any class the boot or platform
 * loader defines), the agent and Byte Buddy, logging and metrics libraries (their timestamps are no state, and
 * replay may log differently from live), classes of named modules that cannot read the bridge, and classes whose
 * loader does not descend from the system class loader (they could not link the bridge). Registered as not
 * retransformation-capable: its output is what other agents' retransformations start from.
 */
public final class CallSiteTransformer implements ClassFileTransformer {

    private static final Logger LOG = System.getLogger("io.reprise.determinism");

    /** Classes whose clock readings are no state: logging and metrics. */
    private static final String[] LEFT_ALONE = {"io/reprise/agent/", "net/bytebuddy/", "org/slf4j/", "ch/qos/logback/",
            "org/apache/logging/log4j/", "org/apache/log4j/", "org/jboss/logging/", "org/apache/juli/",
            "org/apache/commons/logging/", "io/micrometer/", "io/prometheus/", "io/opentelemetry/"};

    private final ConstantPoolScan scan = new ConstantPoolScan(CallSites.constructed(), CallSites.owners(), CallSites.names());
    private final ClassLoader system = ClassLoader.getSystemClassLoader();
    private final ClassLoader platform = ClassLoader.getPlatformClassLoader();
    private final Module bridge = Determinism.class.getModule();
    private final AtomicLong scanned = new AtomicLong();
    private final AtomicLong rewritten = new AtomicLong();
    private final AtomicLong nanos = new AtomicLong();

    /** Registers the transformer; classes loaded before this are not rewritten (the application's load later). */
    public static CallSiteTransformer install(Instrumentation instrumentation) {
        CallSiteTransformer transformer = new CallSiteTransformer();
        instrumentation.addTransformer(transformer, false);
        return transformer;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String className, Class<?> redefined,
                            ProtectionDomain domain, byte[] classFile) {
        if (redefined != null || className == null || !candidate(module, loader, className)) {
            return null;
        }
        long start = System.nanoTime();
        try {
            scanned.incrementAndGet();
            if (!scan.mayCall(classFile)) {
                return null;
            }
            byte[] result = rewrite(classFile);
            if (result != null) {
                rewritten.incrementAndGet();
                LOG.log(Level.DEBUG, "reprise: recording the clock and random calls of " + className);
            }
            return result;
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "reprise: cannot rewrite the clock and random calls of " + className.replace('/', '.')
                    + ": " + e + "; its calls are live on replay too");
            return null;
        } finally {
            nanos.addAndGet(System.nanoTime() - start);
        }
    }

    private boolean candidate(Module module, ClassLoader loader, String className) {
        if (loader == null || loader == platform) {
            return false;
        }
        if (module != null && module.isNamed() && (module.getLayer() == ModuleLayer.boot() || !module.canRead(bridge))) {
            return false;
        }
        for (String prefix : LEFT_ALONE) {
            if (className.startsWith(prefix)) {
                return false;
            }
        }
        for (ClassLoader l = loader; l != null; l = l.getParent()) {
            if (l == system) {
                return true;
            }
        }
        return false;
    }

    /** The class with its calls rewritten, or null when it has none after all. */
    static byte[] rewrite(byte[] classFile) {
        ClassReader reader = OpenedClassReader.of(classFile);
        ClassWriter writer = new ClassWriter(reader, 0);
        boolean[] changed = {false};
        String className = reader.getClassName().replace('/', '.');
        reader.accept(new ClassVisitor(OpenedClassReader.ASM_API, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new Rewriter(super.visitMethod(access, name, descriptor, signature, exceptions), changed,
                        className, name, descriptor);
            }
        }, 0);
        return changed[0] ? writer.toByteArray() : null;
    }

    /** How many classes were looked at and rewritten so far, and the time spent, for the start-up line. */
    public String describe() {
        return String.format("%d classes scanned, %d rewritten, %.1f ms", scanned.get(), rewritten.get(), nanos.get() / 1e6);
    }

    /**
     * Rewrites one method's calls. Each rewritten call passes its call site's id, a hash of the class, the method and
     * the call's place among the method's rewritten calls: the same in every run of the same class file, so that
     * replay finds each call site's values where it recorded them.
     */
    private static final class Rewriter extends MethodVisitor {

        private final boolean[] changed;
        private final String where;
        private final String key;
        private int calls;

        Rewriter(MethodVisitor next, boolean[] changed, String className, String method, String descriptor) {
            super(OpenedClassReader.ASM_API, next);
            this.changed = changed;
            this.where = className + "." + method;
            this.key = className + "." + method + descriptor + "#";
        }

        private int site() {
            int id = (key + calls++).hashCode();
            if (id == Determinism.METHOD_REFERENCE) {
                id = 1;
            }
            Determinism.site(id, where);
            return id;
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            CallSites.Replacement r = CallSites.replacement(opcode, owner, name, descriptor);
            if (r == null) {
                super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
                return;
            }
            changed[0] = true;
            super.visitLdcInsn(site());
            super.visitMethodInsn(Opcodes.INVOKESTATIC, CallSites.BRIDGE, r.name(), r.descriptor(), false);
            if (r.constructor()) {
                // new Date() / new Random(): the object and its copy are below the recorded value just pushed.
                super.visitMethodInsn(Opcodes.INVOKESPECIAL, owner, "<init>", r.constructorDescriptor(), false);
            }
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            // Method references such as UUID::randomUUID or Instant::now: the handle names the method.
            for (int i = 0; i < arguments.length; i++) {
                if (arguments[i] instanceof Handle) {
                    Handle h = (Handle) arguments[i];
                    if (h.getTag() == Opcodes.H_INVOKESTATIC) {
                        CallSites.Replacement r = CallSites.replacement(Opcodes.INVOKESTATIC, h.getOwner(), h.getName(), h.getDesc());
                        if (r != null && r.referable()) {
                            arguments[i] = new Handle(Opcodes.H_INVOKESTATIC, CallSites.BRIDGE, r.name(),
                                    r.referenceDescriptor(), false);
                            changed[0] = true;
                        }
                    }
                }
            }
            super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            // The call site's id, and a constructor's recorded long on top of the object and its copy.
            super.visitMaxs(calls > 0 ? maxStack + 2 : maxStack, maxLocals);
        }
    }
}
