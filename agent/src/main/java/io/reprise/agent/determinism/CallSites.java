package io.reprise.agent.determinism;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * The call sites Reprise rewrites, and what each becomes: a static method of {@code io.reprise.agent.bridge.Determinism}
 * with the same result (the receiver of an instance method becomes its first argument). The table is the whole
 * coverage list of docs/guarantees.md, "Recorded values".
 */
final class CallSites {

    static final String BRIDGE = "io/reprise/agent/bridge/Determinism";

    /**
     * A call site's replacement: the bridge method's name and descriptor (the call's own, with the receiver first and
     * the call site's id last), or, for a constructor, the bridge method giving the recorded value and the
     * constructor that takes it. {@code referable}: the bridge also has the method without the id, for method
     * references ({@code UUID::randomUUID}).
     */
    record Replacement(String name, String descriptor, String constructorDescriptor, boolean referable) {

        boolean constructor() {
            return constructorDescriptor != null;
        }

        /** The descriptor of the overload without the call site's id. */
        String referenceDescriptor() {
            return descriptor.replace("I)", ")");
        }
    }

    private static final String GENERATOR = "Ljava/util/random/RandomGenerator;";
    private static final Set<String> GENERATORS = Set.of("java/util/Random", "java/security/SecureRandom",
            "java/util/concurrent/ThreadLocalRandom", "java/util/SplittableRandom", "java/util/random/RandomGenerator");

    /** owner -> (name + descriptor -> replacement), for invokestatic. */
    private static final Map<String, Map<String, Replacement>> STATIC = new HashMap<>();
    /** name + descriptor -> replacement, for invokevirtual and invokeinterface on {@link #GENERATORS}. */
    private static final Map<String, Replacement> GENERATOR_CALLS = new HashMap<>();
    /** owner -> replacement of its no-argument constructor. */
    private static final Map<String, Replacement> CONSTRUCTORS = Map.of(
            "java/util/Date", new Replacement("currentTimeMillis", "(I)J", "(J)V", false),
            "java/util/Random", new Replacement("randomSeed", "(I)J", "(J)V", false));
    private static final Replacement GENERATE_SEED = new Replacement("generateSeed", "(Ljava/security/SecureRandom;II)[B", null, false);

    static {
        same("java/lang/System", "currentTimeMillis", "()J");
        same("java/lang/System", "nanoTime", "()J");
        add("java/time/Instant", "now", "()Ljava/time/Instant;", "instantNow");
        same("java/time/Clock", "systemUTC", "()Ljava/time/Clock;");
        same("java/time/Clock", "systemDefaultZone", "()Ljava/time/Clock;");
        same("java/time/Clock", "system", "(Ljava/time/ZoneId;)Ljava/time/Clock;");
        for (String type : new String[] {"LocalDate", "LocalDateTime", "LocalTime", "ZonedDateTime", "OffsetDateTime",
                "OffsetTime"}) {
            String owner = "java/time/" + type;
            String bridge = Character.toLowerCase(type.charAt(0)) + type.substring(1) + "Now";
            add(owner, "now", "()L" + owner + ";", bridge);
            add(owner, "now", "(Ljava/time/ZoneId;)L" + owner + ";", bridge);
        }
        same("java/util/UUID", "randomUUID", "()Ljava/util/UUID;");
        add("java/lang/Math", "random", "()D", "mathRandom");
        add("java/lang/StrictMath", "random", "()D", "mathRandom");
        same("java/security/SecureRandom", "getSeed", "(I)[B");

        for (String call : new String[] {"nextInt()I", "nextInt(I)I", "nextInt(II)I", "nextLong()J", "nextLong(J)J",
                "nextLong(JJ)J", "nextDouble()D", "nextDouble(D)D", "nextDouble(DD)D", "nextGaussian()D", "nextFloat()F",
                "nextBoolean()Z", "nextBytes([B)V"}) {
            int paren = call.indexOf('(');
            String rest = call.substring(paren + 1);
            String descriptor = "(" + GENERATOR + rest.replace(")", "I)");
            GENERATOR_CALLS.put(call, new Replacement(call.substring(0, paren), descriptor, null, false));
        }
    }

    private CallSites() {
    }

    private static void same(String owner, String name, String descriptor) {
        add(owner, name, descriptor, name);
    }

    private static void add(String owner, String name, String descriptor, String bridge) {
        boolean referable = descriptor.startsWith("()") && !owner.equals("java/time/Clock");
        STATIC.computeIfAbsent(owner, o -> new HashMap<>())
                .put(name + descriptor, new Replacement(bridge, descriptor.replace(")", "I)"), null, referable));
    }

    /** The replacement of a method instruction, or null to leave it. */
    static Replacement replacement(int opcode, String owner, String name, String descriptor) {
        switch (opcode) {
            case Opcodes.INVOKESTATIC: {
                Map<String, Replacement> calls = STATIC.get(owner);
                return calls == null ? null : calls.get(name + descriptor);
            }
            case Opcodes.INVOKEVIRTUAL:
            case Opcodes.INVOKEINTERFACE:
                if (!GENERATORS.contains(owner)) {
                    return null;
                }
                if (owner.equals("java/security/SecureRandom") && name.equals("generateSeed") && descriptor.equals("(I)[B")) {
                    return GENERATE_SEED;
                }
                return name.startsWith("next") ? GENERATOR_CALLS.get(name + descriptor) : null;
            case Opcodes.INVOKESPECIAL:
                return name.equals("<init>") && descriptor.equals("()V") ? CONSTRUCTORS.get(owner) : null;
            default:
                return null;
        }
    }

    /** The owners of rewritten calls, as a class file's constant pool names them: the pre-scan looks for these. */
    static Set<String> owners() {
        java.util.HashSet<String> owners = new java.util.HashSet<>(STATIC.keySet());
        owners.addAll(GENERATORS);
        return owners;
    }

    /** The classes whose no-argument constructor is rewritten: naming one is enough for the pre-scan. */
    static Set<String> constructed() {
        return CONSTRUCTORS.keySet();
    }

    /** The names of rewritten methods, as the constant pool names them. */
    static Set<String> names() {
        java.util.HashSet<String> names = new java.util.HashSet<>();
        STATIC.values().forEach(calls -> calls.values().forEach(r -> names.add(nameOf(calls, r))));
        GENERATOR_CALLS.values().forEach(r -> names.add(r.name()));
        names.add("generateSeed");
        return names;
    }

    private static String nameOf(Map<String, Replacement> calls, Replacement r) {
        for (Map.Entry<String, Replacement> e : calls.entrySet()) {
            if (e.getValue() == r) {
                return e.getKey().substring(0, e.getKey().indexOf('('));
            }
        }
        throw new AssertionError(r);
    }
}
