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
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * What the application's and its libraries' classes call instead of the JDK's clock, UUID and random methods: the
 * agent rewrites those call sites to call this class (see {@code io.reprise.agent.determinism.CallSites}). On a
 * thread that runs a journaled request, the value is taken live and recorded on the request's {@link Tape}, or, when
 * the request is being replayed, handed back from the tape. Everywhere else, each method is the JDK's own.
 *
 * <p>In the visible part of the agent jar, with JDK types only, like {@link ServletBridge}: the rewritten classes
 * reach it through their loader's parents, which end at the system class loader.
 */
public final class Determinism {

    private static final ThreadLocal<Tape> TAPE = new ThreadLocal<>();
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

    /** Ends what {@link #begin} started: {@code previous} is what it returned. */
    public static void end(Tape previous) {
        if (previous == null) {
            TAPE.remove();
        } else {
            TAPE.set(previous);
        }
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

    private static Tape active() {
        Tape t = TAPE.get();
        return t == null || t.depth > 0 ? null : t;
    }

    // ---- the clock -------------------------------------------------------------------------------------------

    public static long currentTimeMillis() {
        Tape t = active();
        if (t == null) {
            return System.currentTimeMillis();
        }
        return Math.floorDiv(t.clock(t.replaying() ? 0 : System.currentTimeMillis() * 1_000_000L), 1_000_000L);
    }

    public static long nanoTime() {
        Tape t = active();
        return t == null ? System.nanoTime() : t.nanoTime(System.nanoTime());
    }

    public static Instant instantNow() {
        Tape t = active();
        return t == null ? Instant.now() : instant(t);
    }

    /** The current instant from the tape: recorded (live) or recorded before (replay). */
    static Instant instant(Tape t) {
        long nanos = t.clock(t.replaying() ? 0 : epochNanos(Instant.now()));
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    /** Whether the current thread's clock reads come from a tape (for {@link RecordedClock}). */
    static Tape clockTape() {
        return active();
    }

    private static long epochNanos(Instant i) {
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }

    public static Clock systemUTC() {
        return new RecordedClock(java.time.ZoneOffset.UTC);
    }

    public static Clock systemDefaultZone() {
        return new RecordedClock(ZoneId.systemDefault());
    }

    public static Clock system(ZoneId zone) {
        return new RecordedClock(zone);
    }

    public static LocalDate localDateNow() {
        return LocalDate.now(systemDefaultZone());
    }

    public static LocalDate localDateNow(ZoneId zone) {
        return LocalDate.now(system(zone));
    }

    public static LocalDateTime localDateTimeNow() {
        return LocalDateTime.now(systemDefaultZone());
    }

    public static LocalDateTime localDateTimeNow(ZoneId zone) {
        return LocalDateTime.now(system(zone));
    }

    public static LocalTime localTimeNow() {
        return LocalTime.now(systemDefaultZone());
    }

    public static LocalTime localTimeNow(ZoneId zone) {
        return LocalTime.now(system(zone));
    }

    public static ZonedDateTime zonedDateTimeNow() {
        return ZonedDateTime.now(systemDefaultZone());
    }

    public static ZonedDateTime zonedDateTimeNow(ZoneId zone) {
        return ZonedDateTime.now(system(zone));
    }

    public static OffsetDateTime offsetDateTimeNow() {
        return OffsetDateTime.now(systemDefaultZone());
    }

    public static OffsetDateTime offsetDateTimeNow(ZoneId zone) {
        return OffsetDateTime.now(system(zone));
    }

    public static OffsetTime offsetTimeNow() {
        return OffsetTime.now(systemDefaultZone());
    }

    public static OffsetTime offsetTimeNow(ZoneId zone) {
        return OffsetTime.now(system(zone));
    }

    // ---- identifiers and seeds -------------------------------------------------------------------------------

    public static UUID randomUUID() {
        Tape t = active();
        if (t == null) {
            return UUID.randomUUID();
        }
        if (t.replaying() && t.has(Tape.UUIDS, 16)) {
            return new UUID(t.takeLong(Tape.UUIDS, 8), t.takeLong(Tape.UUIDS, 8));
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
            t.put(Tape.UUIDS, bytes);
        }
        return id;
    }

    /** The seed of a {@code new Random()}: what the JDK would have chosen, recorded. */
    public static long randomSeed() {
        Tape t = active();
        long live = ThreadLocalRandom.current().nextLong() ^ System.nanoTime();
        if (t == null) {
            return live;
        }
        if (t.replaying() && t.has(Tape.RANDOM_SEED, 8)) {
            return t.takeLong(Tape.RANDOM_SEED, 8);
        }
        t.putLong(Tape.RANDOM_SEED, live, 8);
        return live;
    }

    public static double mathRandom() {
        Tape t = active();
        if (t == null) {
            return Math.random();
        }
        if (t.replaying() && t.has(Tape.MATH_RANDOM, 8)) {
            return Double.longBitsToDouble(t.takeLong(Tape.MATH_RANDOM, 8));
        }
        double v = Math.random();
        t.putLong(Tape.MATH_RANDOM, Double.doubleToRawLongBits(v), 8);
        return v;
    }

    // ---- random generators: Random, SecureRandom, ThreadLocalRandom, SplittableRandom, RandomGenerator --------

    private static int source(RandomGenerator g) {
        if (g instanceof SecureRandom) {
            return Tape.SECURE_RANDOM;
        }
        return g instanceof ThreadLocalRandom ? Tape.THREAD_LOCAL_RANDOM : Tape.RANDOM;
    }

    /** Whether replay can hand back a value of {@code bytes} bytes of {@code source}; false when recording. */
    private static boolean replayable(Tape t, int source, int bytes) {
        return t.replaying() && t.has(source, bytes);
    }

    /** Marks the start of a live call on a generator, so that the calls it makes itself are not recorded too. */
    private static void enter(Tape t) {
        t.depth++;
    }

    private static void exit(Tape t) {
        t.depth--;
    }

    public static int nextInt(RandomGenerator g) {
        Tape t = active();
        if (t == null) {
            return g.nextInt();
        }
        int s = source(g);
        if (replayable(t, s, 4)) {
            return (int) t.takeLong(s, 4);
        }
        enter(t);
        try {
            return recordInt(t, s, g.nextInt());
        } finally {
            exit(t);
        }
    }

    public static int nextInt(RandomGenerator g, int bound) {
        Tape t = active();
        if (t == null) {
            return g.nextInt(bound);
        }
        int s = source(g);
        if (replayable(t, s, 4)) {
            return (int) t.takeLong(s, 4);
        }
        enter(t);
        try {
            return recordInt(t, s, g.nextInt(bound));
        } finally {
            exit(t);
        }
    }

    public static int nextInt(RandomGenerator g, int origin, int bound) {
        Tape t = active();
        if (t == null) {
            return g.nextInt(origin, bound);
        }
        int s = source(g);
        if (replayable(t, s, 4)) {
            return (int) t.takeLong(s, 4);
        }
        enter(t);
        try {
            return recordInt(t, s, g.nextInt(origin, bound));
        } finally {
            exit(t);
        }
    }

    public static long nextLong(RandomGenerator g) {
        Tape t = active();
        if (t == null) {
            return g.nextLong();
        }
        int s = source(g);
        if (replayable(t, s, 8)) {
            return t.takeLong(s, 8);
        }
        enter(t);
        try {
            return recordLong(t, s, g.nextLong());
        } finally {
            exit(t);
        }
    }

    public static long nextLong(RandomGenerator g, long bound) {
        Tape t = active();
        if (t == null) {
            return g.nextLong(bound);
        }
        int s = source(g);
        if (replayable(t, s, 8)) {
            return t.takeLong(s, 8);
        }
        enter(t);
        try {
            return recordLong(t, s, g.nextLong(bound));
        } finally {
            exit(t);
        }
    }

    public static long nextLong(RandomGenerator g, long origin, long bound) {
        Tape t = active();
        if (t == null) {
            return g.nextLong(origin, bound);
        }
        int s = source(g);
        if (replayable(t, s, 8)) {
            return t.takeLong(s, 8);
        }
        enter(t);
        try {
            return recordLong(t, s, g.nextLong(origin, bound));
        } finally {
            exit(t);
        }
    }

    public static double nextDouble(RandomGenerator g) {
        Tape t = active();
        if (t == null) {
            return g.nextDouble();
        }
        int s = source(g);
        if (replayable(t, s, 8)) {
            return Double.longBitsToDouble(t.takeLong(s, 8));
        }
        enter(t);
        try {
            return recordDouble(t, s, g.nextDouble());
        } finally {
            exit(t);
        }
    }

    public static double nextDouble(RandomGenerator g, double bound) {
        Tape t = active();
        if (t == null) {
            return g.nextDouble(bound);
        }
        int s = source(g);
        if (replayable(t, s, 8)) {
            return Double.longBitsToDouble(t.takeLong(s, 8));
        }
        enter(t);
        try {
            return recordDouble(t, s, g.nextDouble(bound));
        } finally {
            exit(t);
        }
    }

    public static double nextDouble(RandomGenerator g, double origin, double bound) {
        Tape t = active();
        if (t == null) {
            return g.nextDouble(origin, bound);
        }
        int s = source(g);
        if (replayable(t, s, 8)) {
            return Double.longBitsToDouble(t.takeLong(s, 8));
        }
        enter(t);
        try {
            return recordDouble(t, s, g.nextDouble(origin, bound));
        } finally {
            exit(t);
        }
    }

    public static double nextGaussian(RandomGenerator g) {
        Tape t = active();
        if (t == null) {
            return g.nextGaussian();
        }
        int s = source(g);
        if (replayable(t, s, 8)) {
            return Double.longBitsToDouble(t.takeLong(s, 8));
        }
        enter(t);
        try {
            return recordDouble(t, s, g.nextGaussian());
        } finally {
            exit(t);
        }
    }

    public static float nextFloat(RandomGenerator g) {
        Tape t = active();
        if (t == null) {
            return g.nextFloat();
        }
        int s = source(g);
        if (replayable(t, s, 4)) {
            return Float.intBitsToFloat((int) t.takeLong(s, 4));
        }
        enter(t);
        try {
            float v = g.nextFloat();
            recordInt(t, s, Float.floatToRawIntBits(v));
            return v;
        } finally {
            exit(t);
        }
    }

    public static boolean nextBoolean(RandomGenerator g) {
        Tape t = active();
        if (t == null) {
            return g.nextBoolean();
        }
        int s = source(g);
        if (replayable(t, s, 1)) {
            return t.takeLong(s, 1) != 0;
        }
        enter(t);
        try {
            boolean v = g.nextBoolean();
            t.putLong(s, v ? 1 : 0, 1);
            return v;
        } finally {
            exit(t);
        }
    }

    public static void nextBytes(RandomGenerator g, byte[] bytes) {
        Tape t = active();
        if (t == null) {
            g.nextBytes(bytes);
            return;
        }
        int s = source(g);
        if (replayable(t, s, bytes.length)) {
            t.take(s, bytes);
            return;
        }
        enter(t);
        try {
            g.nextBytes(bytes);
            t.put(s, bytes);
        } finally {
            exit(t);
        }
    }

    public static byte[] generateSeed(SecureRandom g, int numBytes) {
        Tape t = active();
        if (t == null) {
            return g.generateSeed(numBytes);
        }
        if (numBytes >= 0 && replayable(t, Tape.SECURE_RANDOM, numBytes)) {
            byte[] seed = new byte[numBytes];
            t.take(Tape.SECURE_RANDOM, seed);
            return seed;
        }
        enter(t);
        try {
            byte[] seed = g.generateSeed(numBytes);
            t.put(Tape.SECURE_RANDOM, seed);
            return seed;
        } finally {
            exit(t);
        }
    }

    public static byte[] getSeed(int numBytes) {
        Tape t = active();
        if (t == null) {
            return SecureRandom.getSeed(numBytes);
        }
        if (numBytes >= 0 && replayable(t, Tape.SECURE_RANDOM, numBytes)) {
            byte[] seed = new byte[numBytes];
            t.take(Tape.SECURE_RANDOM, seed);
            return seed;
        }
        byte[] seed = SecureRandom.getSeed(numBytes);
        t.put(Tape.SECURE_RANDOM, seed);
        return seed;
    }

    private static int recordInt(Tape t, int source, int v) {
        t.putLong(source, v & 0xFFFFFFFFL, 4);
        return v;
    }

    private static long recordLong(Tape t, int source, long v) {
        t.putLong(source, v, 8);
        return v;
    }

    private static double recordDouble(Tape t, int source, double v) {
        t.putLong(source, Double.doubleToRawLongBits(v), 8);
        return v;
    }
}
