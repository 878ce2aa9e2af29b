package io.reprise.agent.bridge;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * What the application's and its libraries' classes call instead of the JDK's clock, UUID and random methods: the
 * agent rewrites those call sites to call this class (see {@code io.reprise.agent.determinism.CallSites}). On a
 * thread that runs a journaled request, the value is taken live and recorded on the request's {@link Tape}, or, when
 * the request is being replayed, handed back from the tape. Everywhere else, each method is the JDK's own.
 *
 * <p>In the visible part of the agent jar, with JDK types only, like {@link Hooks}: the rewritten classes
 * reach it through their loader's parents, which end at the system class loader.
 */
public final class Determinism {

    private static final ThreadLocal<Tape> TAPE = new ThreadLocal<>();
    /** Call site ids (see {@link #site}) and where they are, for messages. */
    private static final ConcurrentHashMap<Integer, String> SITES = new ConcurrentHashMap<>();
    /** The call site of method references ({@code UUID::randomUUID}): their values share one stream per source. */
    public static final int METHOD_REFERENCE = 0;
    /** The tape recovery hands to whichever thread runs the replayed entry's handler (Jetty replays on its own). */
    private static volatile Tape armed;

    private Determinism() {
        throw new AssertionError("Determinism cannot be instantiated");
    }

    // ---- for the agent -----------------------------------------------------------------------------------------

    /** Makes {@code tape} the current thread's until {@link #end}; returns the one it replaces (usually null). */
    public static Tape begin(Tape tape) {
        Tape previous = TAPE.get();
        TAPE.set(tape);
        return previous;
    }

    /**
     * Ends what {@link #begin} started: {@code previous} is what it returned. A null is set rather than the entry
     * removed: removing makes the thread's map scan for stale entries, a tenth of a replayed entry's cost, and the one
     * entry of this static ThreadLocal costs nothing to keep.
     */
    public static void end(Tape previous) {
        TAPE.set(previous);
    }

    /** Recovery: the tape of the entry about to be replayed, for {@link #takeArmed}; null for none. */
    public static void arm(Tape tape) {
        armed = tape;
    }

    /** An adapter about to run a replayed entry's handler: takes the tape recovery armed for it (null if none). */
    public static Tape takeArmed() {
        Tape t = armed;
        armed = null;
        return t;
    }

    /**
     * The agent, rewriting a class: call site {@code id} (a hash of its class, method and place, the same in every
     * run of the same class file) is {@code where}, e.g. {@code com.example.Items.create}.
     */
    public static void site(int id, String where) {
        SITES.putIfAbsent(id, where);
    }

    static String siteName(int id) {
        String where = id == METHOD_REFERENCE ? "a method reference" : SITES.get(id);
        return where != null ? where : "call site " + Integer.toHexString(id);
    }

    private static Tape active() {
        Tape t = TAPE.get();
        return t == null || t.depth > 0 ? null : t;
    }

    // ---- the clock -------------------------------------------------------------------------------------------

    public static long currentTimeMillis(int site) {
        Tape t = active();
        if (t == null) {
            return System.currentTimeMillis();
        }
        return Math.floorDiv(t.clock(site, t.replaying() ? 0 : System.currentTimeMillis() * 1_000_000L), 1_000_000L);
    }

    public static long currentTimeMillis() {
        return currentTimeMillis(METHOD_REFERENCE);
    }

    public static long nanoTime(int site) {
        Tape t = active();
        return t == null ? System.nanoTime() : t.nanoTime(site, System.nanoTime());
    }

    public static long nanoTime() {
        return nanoTime(METHOD_REFERENCE);
    }

    public static Instant instantNow(int site) {
        Tape t = active();
        return t == null ? Instant.now() : instant(t, site);
    }

    public static Instant instantNow() {
        return instantNow(METHOD_REFERENCE);
    }

    /** The current instant from the tape: recorded (live) or recorded before (replay). */
    static Instant instant(Tape t, int site) {
        long nanos = t.clock(site, t.replaying() ? 0 : epochNanos(Instant.now()));
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** The current thread's tape, if its clock reads are recorded or replayed (for {@link RecordedClock}). */
    static Tape clockTape() {
        return active();
    }

    private static long epochNanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    public static Clock systemUTC(int site) {
        return new RecordedClock(java.time.ZoneOffset.UTC, site);
    }

    public static Clock systemDefaultZone(int site) {
        return new RecordedClock(ZoneId.systemDefault(), site);
    }

    public static Clock system(ZoneId zone, int site) {
        return new RecordedClock(zone, site);
    }

    public static LocalDate localDateNow(int site) {
        return LocalDate.now(systemDefaultZone(site));
    }

    public static LocalDate localDateNow() {
        return localDateNow(METHOD_REFERENCE);
    }

    public static LocalDate localDateNow(ZoneId zone, int site) {
        return LocalDate.now(system(zone, site));
    }

    public static LocalDateTime localDateTimeNow(int site) {
        return LocalDateTime.now(systemDefaultZone(site));
    }

    public static LocalDateTime localDateTimeNow() {
        return localDateTimeNow(METHOD_REFERENCE);
    }

    public static LocalDateTime localDateTimeNow(ZoneId zone, int site) {
        return LocalDateTime.now(system(zone, site));
    }

    public static LocalTime localTimeNow(int site) {
        return LocalTime.now(systemDefaultZone(site));
    }

    public static LocalTime localTimeNow() {
        return localTimeNow(METHOD_REFERENCE);
    }

    public static LocalTime localTimeNow(ZoneId zone, int site) {
        return LocalTime.now(system(zone, site));
    }

    public static ZonedDateTime zonedDateTimeNow(int site) {
        return ZonedDateTime.now(systemDefaultZone(site));
    }

    public static ZonedDateTime zonedDateTimeNow() {
        return zonedDateTimeNow(METHOD_REFERENCE);
    }

    public static ZonedDateTime zonedDateTimeNow(ZoneId zone, int site) {
        return ZonedDateTime.now(system(zone, site));
    }

    public static OffsetDateTime offsetDateTimeNow(int site) {
        return OffsetDateTime.now(systemDefaultZone(site));
    }

    public static OffsetDateTime offsetDateTimeNow() {
        return offsetDateTimeNow(METHOD_REFERENCE);
    }

    public static OffsetDateTime offsetDateTimeNow(ZoneId zone, int site) {
        return OffsetDateTime.now(system(zone, site));
    }

    public static OffsetTime offsetTimeNow(int site) {
        return OffsetTime.now(systemDefaultZone(site));
    }

    public static OffsetTime offsetTimeNow() {
        return offsetTimeNow(METHOD_REFERENCE);
    }

    public static OffsetTime offsetTimeNow(ZoneId zone, int site) {
        return OffsetTime.now(system(zone, site));
    }

    // ---- identifiers and seeds -------------------------------------------------------------------------------

    public static UUID randomUUID(int site) {
        Tape t = active();
        if (t == null) {
            return UUID.randomUUID();
        }
        if (t.has(Tape.UUIDS, site, 16)) {
            return new UUID(t.takeLong(8), t.takeLong(8));
        }
        UUID id = UUID.randomUUID();
        if (!t.replaying()) {
            byte[] bytes = new byte[16];
            long hi = id.getMostSignificantBits();
            long lo = id.getLeastSignificantBits();
            for (int i = 0; i < 8; i++) {
                bytes[i] = (byte) (hi >>> (56 - 8 * i));
                bytes[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
            t.put(Tape.UUIDS, site, bytes);
        }
        return id;
    }

    public static UUID randomUUID() {
        return randomUUID(METHOD_REFERENCE);
    }

    /** The seed of a {@code new Random()}: what the JDK would have chosen, recorded. */
    public static long randomSeed(int site) {
        Tape t = active();
        long live = ThreadLocalRandom.current().nextLong() ^ System.nanoTime();
        if (t == null) {
            return live;
        }
        if (t.has(Tape.RANDOM_SEED, site, 8)) {
            return t.takeLong(8);
        }
        t.putLong(Tape.RANDOM_SEED, site, live, 8);
        return live;
    }

    public static double mathRandom(int site) {
        Tape t = active();
        if (t == null) {
            return Math.random();
        }
        if (t.has(Tape.MATH_RANDOM, site, 8)) {
            return Double.longBitsToDouble(t.takeLong(8));
        }
        double v = Math.random();
        t.putLong(Tape.MATH_RANDOM, site, Double.doubleToRawLongBits(v), 8);
        return v;
    }

    public static double mathRandom() {
        return mathRandom(METHOD_REFERENCE);
    }

    // ---- random generators: Random, SecureRandom, ThreadLocalRandom, SplittableRandom, RandomGenerator --------

    private static int source(RandomGenerator g) {
        if (g instanceof SecureRandom) {
            return Tape.SECURE_RANDOM;
        }
        return g instanceof ThreadLocalRandom ? Tape.THREAD_LOCAL_RANDOM : Tape.RANDOM;
    }

    /** Marks the start of a live call on a generator, so that the calls it makes itself are not recorded too. */
    private static void enter(Tape t) {
        t.depth++;
    }

    private static void exit(Tape t) {
        t.depth--;
    }

    public static int nextInt(RandomGenerator g, int site) {
        Tape t = active();
        if (t == null) {
            return g.nextInt();
        }
        int s = source(g);
        if (t.has(s, site, 4)) {
            return (int) t.takeLong(4);
        }
        enter(t);
        try {
            int v = g.nextInt();
            t.putLong(s, site, v & 0xFFFFFFFFL, 4);
            return v;
        } finally {
            exit(t);
        }
    }

    public static int nextInt(RandomGenerator g, int bound, int site) {
        Tape t = active();
        if (t == null) {
            return g.nextInt(bound);
        }
        int s = source(g);
        if (t.has(s, site, 4)) {
            return (int) t.takeLong(4);
        }
        enter(t);
        try {
            int v = g.nextInt(bound);
            t.putLong(s, site, v & 0xFFFFFFFFL, 4);
            return v;
        } finally {
            exit(t);
        }
    }

    public static int nextInt(RandomGenerator g, int origin, int bound, int site) {
        Tape t = active();
        if (t == null) {
            return g.nextInt(origin, bound);
        }
        int s = source(g);
        if (t.has(s, site, 4)) {
            return (int) t.takeLong(4);
        }
        enter(t);
        try {
            int v = g.nextInt(origin, bound);
            t.putLong(s, site, v & 0xFFFFFFFFL, 4);
            return v;
        } finally {
            exit(t);
        }
    }

    public static long nextLong(RandomGenerator g, int site) {
        Tape t = active();
        if (t == null) {
            return g.nextLong();
        }
        int s = source(g);
        if (t.has(s, site, 8)) {
            return t.takeLong(8);
        }
        enter(t);
        try {
            long v = g.nextLong();
            t.putLong(s, site, v, 8);
            return v;
        } finally {
            exit(t);
        }
    }

    public static long nextLong(RandomGenerator g, long bound, int site) {
        Tape t = active();
        if (t == null) {
            return g.nextLong(bound);
        }
        int s = source(g);
        if (t.has(s, site, 8)) {
            return t.takeLong(8);
        }
        enter(t);
        try {
            long v = g.nextLong(bound);
            t.putLong(s, site, v, 8);
            return v;
        } finally {
            exit(t);
        }
    }

    public static long nextLong(RandomGenerator g, long origin, long bound, int site) {
        Tape t = active();
        if (t == null) {
            return g.nextLong(origin, bound);
        }
        int s = source(g);
        if (t.has(s, site, 8)) {
            return t.takeLong(8);
        }
        enter(t);
        try {
            long v = g.nextLong(origin, bound);
            t.putLong(s, site, v, 8);
            return v;
        } finally {
            exit(t);
        }
    }

    public static double nextDouble(RandomGenerator g, int site) {
        Tape t = active();
        if (t == null) {
            return g.nextDouble();
        }
        int s = source(g);
        if (t.has(s, site, 8)) {
            return Double.longBitsToDouble(t.takeLong(8));
        }
        enter(t);
        try {
            double v = g.nextDouble();
            t.putLong(s, site, Double.doubleToRawLongBits(v), 8);
            return v;
        } finally {
            exit(t);
        }
    }

    public static double nextDouble(RandomGenerator g, double bound, int site) {
        Tape t = active();
        if (t == null) {
            return g.nextDouble(bound);
        }
        int s = source(g);
        if (t.has(s, site, 8)) {
            return Double.longBitsToDouble(t.takeLong(8));
        }
        enter(t);
        try {
            double v = g.nextDouble(bound);
            t.putLong(s, site, Double.doubleToRawLongBits(v), 8);
            return v;
        } finally {
            exit(t);
        }
    }

    public static double nextDouble(RandomGenerator g, double origin, double bound, int site) {
        Tape t = active();
        if (t == null) {
            return g.nextDouble(origin, bound);
        }
        int s = source(g);
        if (t.has(s, site, 8)) {
            return Double.longBitsToDouble(t.takeLong(8));
        }
        enter(t);
        try {
            double v = g.nextDouble(origin, bound);
            t.putLong(s, site, Double.doubleToRawLongBits(v), 8);
            return v;
        } finally {
            exit(t);
        }
    }

    public static double nextGaussian(RandomGenerator g, int site) {
        Tape t = active();
        if (t == null) {
            return g.nextGaussian();
        }
        int s = source(g);
        if (t.has(s, site, 8)) {
            return Double.longBitsToDouble(t.takeLong(8));
        }
        enter(t);
        try {
            double v = g.nextGaussian();
            t.putLong(s, site, Double.doubleToRawLongBits(v), 8);
            return v;
        } finally {
            exit(t);
        }
    }

    public static float nextFloat(RandomGenerator g, int site) {
        Tape t = active();
        if (t == null) {
            return g.nextFloat();
        }
        int s = source(g);
        if (t.has(s, site, 4)) {
            return Float.intBitsToFloat((int) t.takeLong(4));
        }
        enter(t);
        try {
            float v = g.nextFloat();
            t.putLong(s, site, Float.floatToRawIntBits(v) & 0xFFFFFFFFL, 4);
            return v;
        } finally {
            exit(t);
        }
    }

    public static boolean nextBoolean(RandomGenerator g, int site) {
        Tape t = active();
        if (t == null) {
            return g.nextBoolean();
        }
        int s = source(g);
        if (t.has(s, site, 1)) {
            return t.takeLong(1) != 0;
        }
        enter(t);
        try {
            boolean v = g.nextBoolean();
            t.putLong(s, site, v ? 1 : 0, 1);
            return v;
        } finally {
            exit(t);
        }
    }

    public static void nextBytes(RandomGenerator g, byte[] bytes, int site) {
        Tape t = active();
        if (t == null) {
            g.nextBytes(bytes);
            return;
        }
        int s = source(g);
        if (t.has(s, site, bytes.length)) {
            t.take(bytes);
            return;
        }
        enter(t);
        try {
            g.nextBytes(bytes);
            t.put(s, site, bytes);
        } finally {
            exit(t);
        }
    }

    public static byte[] generateSeed(SecureRandom g, int numBytes, int site) {
        Tape t = active();
        if (t == null) {
            return g.generateSeed(numBytes);
        }
        if (numBytes >= 0 && t.has(Tape.SECURE_RANDOM, site, numBytes)) {
            byte[] seed = new byte[numBytes];
            t.take(seed);
            return seed;
        }
        enter(t);
        try {
            byte[] seed = g.generateSeed(numBytes);
            t.put(Tape.SECURE_RANDOM, site, seed);
            return seed;
        } finally {
            exit(t);
        }
    }

    public static byte[] getSeed(int numBytes, int site) {
        Tape t = active();
        if (t == null) {
            return SecureRandom.getSeed(numBytes);
        }
        if (numBytes >= 0 && t.has(Tape.SECURE_RANDOM, site, numBytes)) {
            byte[] seed = new byte[numBytes];
            t.take(seed);
            return seed;
        }
        byte[] seed = SecureRandom.getSeed(numBytes);
        t.put(Tape.SECURE_RANDOM, site, seed);
        return seed;
    }
}
