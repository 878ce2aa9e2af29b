package io.reprise.agent.bridge;

import java.util.Arrays;

/**
 * The values one journaled request took from the clock and from the random sources, in the order it took them:
 * recorded while the request runs live, handed back in that order when its journal entry is replayed.
 *
 * <p>One stream per source ({@link #CLOCK}, {@link #NANO_TIME}, {@link #UUIDS}, one per kind of random generator), so
 * that a source called more or fewer times on replay (say, by a library warming up) leaves the others aligned.
 * Clock and {@code nanoTime} values are kept as deltas (zig-zag varints), the others as their raw bytes: an
 * {@code int} is 4 bytes, a {@code long} or {@code double} 8, a UUID 16.
 *
 * <p>The encoding ({@link #encode}, {@link #decode}): a format byte (1), then for each source that was used its id
 * byte, the number of values (varint), the number of bytes (varint) and the bytes. A tape with no values is the
 * format byte alone, which still tells replay that values were recorded (and that there were none).
 *
 * <p>A tape belongs to one request and is used by one thread at a time; it is not thread-safe. JDK types only: it is
 * shared by the application's classes and the agent's (see {@link Determinism}).
 */
public final class Tape {

    public static final int CLOCK = 0;
    public static final int NANO_TIME = 1;
    public static final int UUIDS = 2;
    public static final int SECURE_RANDOM = 3;
    public static final int THREAD_LOCAL_RANDOM = 4;
    public static final int RANDOM = 5;
    public static final int MATH_RANDOM = 6;
    public static final int RANDOM_SEED = 7;
    static final int SOURCES = 8;
    /**
     * The most one request records (1 MiB): a handler that draws more (say, a large random key) is recorded up to
     * this, and its replay then runs out of recorded values, which is reported as a divergence.
     */
    public static final int MAX_BYTES = 1 << 20;
    private static final String[] NAMES = {"clock", "System.nanoTime", "UUID", "SecureRandom", "ThreadLocalRandom",
            "Random", "Math.random", "new Random() seed"};

    private static final byte FORMAT = 1;

    private final boolean replaying;
    private final long fallbackClockNanos;
    private final byte[][] data = new byte[SOURCES][];
    private final int[] length = new int[SOURCES]; // recording: bytes written; replay: bytes recorded
    private final int[] read = new int[SOURCES];   // replay: bytes handed back
    private final int[] count = new int[SOURCES];  // recording: values written; replay: values recorded
    private final int[] drawn = new int[SOURCES];  // replay: values asked for
    private final long[] last = new long[SOURCES]; // clock and nanoTime: the last value, the base of the next delta
    private int ranOut;                            // replay: one bit per source that had too few values
    private int bytes;                             // recording: all sources together, bounded by MAX_BYTES
    private boolean full;
    /** Nested bridge calls (a Random subclass calling its own next methods): only the outermost one records. */
    int depth;

    private Tape(boolean replaying, long fallbackClockNanos) {
        this.replaying = replaying;
        this.fallbackClockNanos = fallbackClockNanos;
    }

    /** A tape that records what a live request takes. */
    public static Tape recording() {
        return new Tape(false, 0);
    }

    /**
     * A tape that hands back what {@link #encode} of a recording holds. When the clock runs out, replay gets the time
     * of the journal entry ({@code entryTimeMillis}), never earlier than the last clock value it was given.
     *
     * @throws IllegalArgumentException when {@code recorded} is not a tape this version can read; the message says why
     */
    public static Tape replaying(byte[] recorded, long entryTimeMillis) {
        Tape tape = new Tape(true, entryTimeMillis * 1_000_000L);
        if (recorded.length == 0 || recorded[0] != FORMAT) {
            throw new IllegalArgumentException(recorded.length == 0 ? "nothing was recorded"
                    : "recorded values of format " + recorded[0] + ", which this version does not know");
        }
        int[] at = {1};
        while (at[0] < recorded.length) {
            int source = recorded[at[0]++];
            int values = varint(recorded, at);
            int bytes = varint(recorded, at);
            if (source < 0 || source >= SOURCES || values < 0 || bytes < 0 || bytes > recorded.length - at[0]
                    || tape.data[source] != null) {
                throw new IllegalArgumentException("damaged recorded values at byte " + at[0]);
            }
            tape.data[source] = Arrays.copyOfRange(recorded, at[0], at[0] + bytes);
            tape.length[source] = bytes;
            tape.count[source] = values;
            at[0] += bytes;
        }
        return tape;
    }

    public boolean replaying() {
        return replaying;
    }

    /** The recorded values, to be journaled with the request's outcome. */
    public byte[] encode() {
        int size = 1;
        for (int s = 0; s < SOURCES; s++) {
            if (count[s] > 0) {
                size += 1 + 5 + 5 + length[s];
            }
        }
        byte[] out = new byte[size];
        out[0] = FORMAT;
        int at = 1;
        for (int s = 0; s < SOURCES; s++) {
            if (count[s] > 0) {
                out[at++] = (byte) s;
                at = putVarint(out, at, count[s]);
                at = putVarint(out, at, length[s]);
                System.arraycopy(data[s], 0, out, at, length[s]);
                at += length[s];
            }
        }
        return at == out.length ? out : Arrays.copyOf(out, at);
    }

    /**
     * What replay asked for beyond what was recorded, in words, or null when it had enough. The clock and
     * {@code nanoTime} are not counted: running out of them falls back to the entry's time and is no divergence.
     */
    public String shortfall() {
        if (ranOut == 0) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (int s = 0; s < SOURCES; s++) {
            if ((ranOut & (1 << s)) != 0) {
                text.append(text.length() == 0 ? "" : "; ").append("replay drew more ").append(NAMES[s])
                        .append(" values than were recorded live (").append(count[s]).append(" recorded, ")
                        .append(drawn[s]).append(" drawn; the extra ones are fresh)");
            }
        }
        return text.toString();
    }

    /** How many values of {@code source} were recorded (live: so far). */
    public int count(int source) {
        return count[source];
    }

    // ---- clock and nanoTime: deltas ------------------------------------------------------------------------

    /** Live: records and returns {@code value}. Replay: the next recorded value, or {@code fallback} when none is left. */
    long delta(int source, long value) {
        if (!replaying) {
            if (!room(10)) {
                return value;
            }
            long delta = value - last[source];
            last[source] = value;
            ensure(source, 10);
            length[source] = putVarint64(data[source], length[source], (delta << 1) ^ (delta >> 63));
            count[source]++;
            return value;
        }
        drawn[source]++;
        if (read[source] < length[source]) {
            int[] at = {read[source]};
            long zigzag = varint64(data[source], at);
            read[source] = at[0];
            last[source] += (zigzag >>> 1) ^ -(zigzag & 1);
            return last[source];
        }
        return Long.MIN_VALUE; // the caller falls back
    }

    /** Clock time in epoch nanoseconds: {@code live} recorded, or the next recorded value on replay. */
    long clock(long liveNanos) {
        long v = delta(CLOCK, liveNanos);
        if (v != Long.MIN_VALUE) {
            return v;
        }
        last[CLOCK] = Math.max(drawn[CLOCK] > 1 ? last[CLOCK] : Long.MIN_VALUE, fallbackClockNanos);
        return last[CLOCK];
    }

    /**
     * {@code System.nanoTime()}: {@code live} recorded, or the next recorded value on replay; when none is left, the
     * last one given (so that a duration measured across the end reads as zero), or {@code live} if none was.
     */
    long nanoTime(long live) {
        long v = delta(NANO_TIME, live);
        if (v != Long.MIN_VALUE) {
            return v;
        }
        last[NANO_TIME] = drawn[NANO_TIME] > 1 ? last[NANO_TIME] : live;
        return last[NANO_TIME];
    }

    // ---- raw values ------------------------------------------------------------------------------------------

    /** Replay: whether {@code bytes} more bytes of {@code source} are there; counts one value asked for. */
    boolean has(int source, int bytes) {
        drawn[source]++;
        if (length[source] - read[source] >= bytes) {
            return true;
        }
        ranOut |= 1 << source;
        read[source] = length[source];
        return false;
    }

    long takeLong(int source, int bytes) {
        long v = 0;
        byte[] d = data[source];
        for (int i = 0; i < bytes; i++) {
            v = v << 8 | (d[read[source]++] & 0xFF);
        }
        return v;
    }

    void take(int source, byte[] into) {
        System.arraycopy(data[source], read[source], into, 0, into.length);
        read[source] += into.length;
    }

    /** Live: records {@code v} as {@code bytes} bytes. Replay (the recorded values ran out): nothing to record. */
    void putLong(int source, long v, int bytes) {
        if (replaying || !room(bytes)) {
            return;
        }
        ensure(source, bytes);
        byte[] d = data[source];
        for (int i = bytes - 1; i >= 0; i--) {
            d[length[source]++] = (byte) (v >>> (8 * i));
        }
        count[source]++;
    }

    void put(int source, byte[] bytes) {
        if (replaying || !room(bytes.length)) {
            return;
        }
        ensure(source, bytes.length);
        System.arraycopy(bytes, 0, data[source], length[source], bytes.length);
        length[source] += bytes.length;
        count[source]++;
    }

    /** Recording: whether {@code more} bytes still fit in {@link #MAX_BYTES}; once one does not, nothing more is kept. */
    private boolean room(int more) {
        if (full || bytes + more > MAX_BYTES) {
            full = true;
            return false;
        }
        bytes += more;
        return true;
    }

    /** Recording: whether the request drew more than {@link #MAX_BYTES} and the rest was not recorded. */
    public boolean full() {
        return full;
    }

    private void ensure(int source, int more) {
        byte[] d = data[source];
        if (d == null) {
            data[source] = new byte[Math.max(16, more)];
        } else if (d.length - length[source] < more) {
            data[source] = Arrays.copyOf(d, Math.max(d.length * 2, length[source] + more));
        }
    }

    // ---- varints ---------------------------------------------------------------------------------------------

    private static int putVarint(byte[] out, int at, int v) {
        return putVarint64(out, at, v & 0xFFFFFFFFL);
    }

    private static int putVarint64(byte[] out, int at, long v) {
        while ((v & ~0x7FL) != 0) {
            out[at++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out[at++] = (byte) v;
        return at;
    }

    private static int varint(byte[] in, int[] at) {
        long v = varint64(in, at);
        if (v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("damaged recorded values at byte " + at[0]);
        }
        return (int) v;
    }

    private static long varint64(byte[] in, int[] at) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at[0] >= in.length) {
                throw new IllegalArgumentException("damaged recorded values: a number runs past the end");
            }
            byte b = in[at[0]++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("damaged recorded values at byte " + at[0]);
    }
}
