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
        java.util.Map<String, java.util.BitSet> discarded = new java.util.HashMap<>();
        reader.accept(new ClassVisitor(OpenedClassReader.ASM_API) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                java.util.BitSet bits = new java.util.BitSet();
                discarded.put(name + descriptor, bits);
                return new DiscardFinder(bits);
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        reader.accept(new ClassVisitor(OpenedClassReader.ASM_API, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new Rewriter(super.visitMethod(access, name, descriptor, signature, exceptions), changed,
                        className, name, descriptor, discarded.getOrDefault(name + descriptor, new java.util.BitSet()));
            }
        }, 0);
        return changed[0] ? writer.toByteArray() : null;
    }

    /** How many classes were looked at and rewritten so far, and the time spent, for the start-up line. */
    public String describe() {
        return String.format("%d classes scanned, %d rewritten, %.1f ms", scanned.get(), rewritten.get(), nanos.get() / 1e6);
    }

    /**
     * Finds, in one method, the calls {@link CallSites} would replace whose value the method throws away at once (the
     * instruction after the call pops it): {@code random.nextInt();} to seed a generator, say. Such a value cannot make
     * replay answer differently, and where it was drawn outside a journaled request live (Tomcat seeds its
     * {@code SecureRandom} on the first session, which a {@code GET} may make) and inside one on replay, recording it
     * would report a shortfall that is none. Bit {@code i} stands for the method's {@code i}-th such call.
     */
    private static final class DiscardFinder extends MethodVisitor {
        private final java.util.BitSet discarded;
        private int candidates;
        private int pending = -1; // the candidate right before, whose value is on top of the stack
        private int pendingSize;

        DiscardFinder(java.util.BitSet discarded) {
            super(OpenedClassReader.ASM_API);
            this.discarded = discarded;
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            pending = -1;
            if (CallSites.replacement(opcode, owner, name, descriptor) != null) {
                int index = candidates++;
                char type = descriptor.charAt(descriptor.indexOf(')') + 1);
                if (!name.equals("<init>") && type != 'V') {
                    pending = index;
                    pendingSize = type == 'J' || type == 'D' ? 2 : 1;
                }
            }
        }

        @Override
        public void visitInsn(int opcode) {
            if (pending >= 0 && (opcode == Opcodes.POP && pendingSize == 1 || opcode == Opcodes.POP2 && pendingSize == 2)) {
                discarded.set(pending);
            }
            pending = -1;
        }

        // Any other instruction (or label) between the call and a pop means the value was used.
        @Override public void visitIntInsn(int opcode, int operand) { pending = -1; }
        @Override public void visitVarInsn(int opcode, int var) { pending = -1; }
        @Override public void visitTypeInsn(int opcode, String type) { pending = -1; }
        @Override public void visitFieldInsn(int opcode, String owner, String name, String descriptor) { pending = -1; }
        @Override public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... args) { pending = -1; }
        @Override public void visitJumpInsn(int opcode, net.bytebuddy.jar.asm.Label label) { pending = -1; }
        @Override public void visitLabel(net.bytebuddy.jar.asm.Label label) { pending = -1; }
        @Override public void visitLdcInsn(Object value) { pending = -1; }
        @Override public void visitIincInsn(int var, int increment) { pending = -1; }
        @Override public void visitTableSwitchInsn(int min, int max, net.bytebuddy.jar.asm.Label dflt, net.bytebuddy.jar.asm.Label... labels) { pending = -1; }
        @Override public void visitLookupSwitchInsn(net.bytebuddy.jar.asm.Label dflt, int[] keys, net.bytebuddy.jar.asm.Label[] labels) { pending = -1; }
        @Override public void visitMultiANewArrayInsn(String descriptor, int dims) { pending = -1; }
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
        private final java.util.BitSet discarded;
        private int calls;
        private int candidates;

        Rewriter(MethodVisitor next, boolean[] changed, String className, String method, String descriptor,
                 java.util.BitSet discarded) {
            super(OpenedClassReader.ASM_API, next);
            this.changed = changed;
            this.discarded = discarded;
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
            if (r == null || discarded.get(candidates++)) {
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
