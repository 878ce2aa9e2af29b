package io.reprise.agent.bridge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The values one journaled request took from the clock and from the random sources, in the order it took them:
 * recorded while the request runs live, handed back in that order when its journal entry is replayed.
 *
 * <p>One stream per source ({@link #CLOCK}, {@link #NANO_TIME}, {@link #UUIDS}, one per kind of random generator)
 * <em>and per call site</em> (the rewritten instruction in its class and method, {@link Determinism#site}): a library
 * that reads the clock or seeds a generator on replay where it did not live (warming up on the first request, say)
 * takes from its own stream, which runs out, and leaves the handler's values where they belong. Clock and
 * {@code nanoTime} values are kept as deltas (zig-zag varints), the others as their raw bytes: an {@code int} is 4
 * bytes, a {@code long} or {@code double} 8, a UUID 16.
 *
 * <p>The encoding ({@link #encode}, {@link #replaying}): a format byte (2), then for each stream its source byte, its
 * call site (4 bytes), the number of values (varint), the number of bytes (varint) and the bytes. A tape with no
 * values is the format byte alone, which still tells replay that values were recorded (and that there were none).
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
    private static final String[] NAMES = {"clock", "System.nanoTime", "UUID", "SecureRandom", "ThreadLocalRandom",
            "Random", "Math.random", "new Random() seed"};
    /**
     * The most one request records (1 MiB): a handler that draws more (say, a large random key) is recorded up to
     * this, and its replay then runs out of recorded values, which is reported as a divergence.
     */
    public static final int MAX_BYTES = 1 << 20;
    /** Bounds the streams of one request (and what a damaged record can make replay allocate). */
    private static final int MAX_STREAMS = 4096;

    private static final byte FORMAT = 2;

    /** The values of one source taken at one call site. */
    private static final class Stream {
        final int source;
        final int site;
        byte[] data;
        int length;  // recording: bytes written; replay: bytes recorded
        int read;    // replay: bytes handed back
        int count;   // recording: values written; replay: values recorded
        int drawn;   // replay: values asked for
        long last;   // clock and nanoTime: the last value, the base of the next delta
        long fallbackStarted = Long.MIN_VALUE; // nanoTime, replay: when the recorded values ran out
        boolean ranOut;

        Stream(int source, int site, byte[] data) {
            this.source = source;
            this.site = site;
            this.data = data;
        }
    }

    private final boolean replaying;
    private final long fallbackClockNanos;
    private final List<Stream> streams = new ArrayList<>(4);
    private Stream recent; // the stream used last: a loop at one call site finds it at once
    private long lastClock = Long.MIN_VALUE; // the last clock value handed out, whatever its call site
    private long fallbackStarted = Long.MIN_VALUE; // replay: System.nanoTime() when the clock first ran out
    private int bytes;     // recording: all streams together, bounded by MAX_BYTES
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
            int start = at[0];
            if (recorded.length - start < 5 || tape.streams.size() == MAX_STREAMS) {
                throw new IllegalArgumentException("damaged recorded values at byte " + start);
            }
            int source = recorded[start];
            int site = (recorded[start + 1] & 0xFF) << 24 | (recorded[start + 2] & 0xFF) << 16
                    | (recorded[start + 3] & 0xFF) << 8 | (recorded[start + 4] & 0xFF);
            at[0] = start + 5;
            int values = varint(recorded, at);
            int length = varint(recorded, at);
            if (source < 0 || source >= SOURCES || length > recorded.length - at[0] || tape.find(source, site) != null) {
                throw new IllegalArgumentException("damaged recorded values at byte " + start);
            }
            Stream s = new Stream(source, site, Arrays.copyOfRange(recorded, at[0], at[0] + length));
            s.length = length;
            s.count = values;
            tape.streams.add(s);
            at[0] += length;
        }
        return tape;
    }

    public boolean replaying() {
        return replaying;
    }

    /** The recorded values, to be journaled with the request's outcome. */
    public byte[] encode() {
        int size = 1;
        for (Stream s : streams) {
            size += 5 + 5 + 5 + s.length;
        }
        byte[] out = new byte[size];
        out[0] = FORMAT;
        int at = 1;
        for (Stream s : streams) {
            out[at++] = (byte) s.source;
            for (int shift = 24; shift >= 0; shift -= 8) {
                out[at++] = (byte) (s.site >>> shift);
            }
            at = putVarint(out, at, s.count);
            at = putVarint(out, at, s.length);
            System.arraycopy(s.data, 0, out, at, s.length);
            at += s.length;
        }
        return at == out.length ? out : Arrays.copyOf(out, at);
    }

    /**
     * What replay asked for beyond what was recorded, in words, or null when it had enough. The clock and
     * {@code nanoTime} are not counted: running out of them falls back to the entry's time and is no divergence.
     */
    public String shortfall() {
        StringBuilder text = new StringBuilder();
        for (Stream s : streams) {
            if (s.ranOut) {
                text.append(text.length() == 0 ? "" : "; ").append("replay drew more ").append(NAMES[s.source])
                        .append(" values than were recorded live at ").append(Determinism.siteName(s.site)).append(" (")
                        .append(s.count).append(" recorded, ").append(s.drawn).append(" drawn; the extra ones are fresh)");
            }
        }
        return text.length() == 0 ? null : text.toString();
    }

    /** How many values of {@code source} were recorded, at all call sites (live: so far). */
    public int count(int source) {
        int n = 0;
        for (Stream s : streams) {
            n += s.source == source ? s.count : 0;
        }
        return n;
    }

    private Stream find(int source, int site) {
        Stream r = recent;
        if (r != null && r.source == source && r.site == site) {
            return r;
        }
        for (Stream s : streams) {
            if (s.source == source && s.site == site) {
                recent = s;
                return s;
            }
        }
        return null;
    }

    /** The stream of {@code source} at {@code site}; recording: made if new (null once {@link #MAX_STREAMS} are). */
    private Stream stream(int source, int site) {
        Stream s = find(source, site);
        if (s == null) {
            if (streams.size() == MAX_STREAMS) {
                full = true;
                return null;
            }
            s = new Stream(source, site, null);
            if (replaying) {
                s.data = new byte[0];
            }
            streams.add(s);
            recent = s;
        }
        return s;
    }

    // ---- clock and nanoTime: deltas ------------------------------------------------------------------------

    /** Live: records and returns {@code value}. Replay: the next recorded value, or {@link Long#MIN_VALUE} when none is left. */
    private long delta(int source, int site, long value) {
        Stream s = stream(source, site);
        if (!replaying) {
            if (s == null || !room(10)) {
                return value;
            }
            long delta = value - s.last;
            s.last = value;
            ensure(s, 10);
            s.length = putVarint64(s.data, s.length, (delta << 1) ^ (delta >> 63));
            s.count++;
            return value;
        }
        if (s == null) {
            return Long.MIN_VALUE;
        }
        s.drawn++;
        if (s.read < s.length) {
            int[] at = {s.read};
            long zigzag = varint64(s.data, at);
            s.read = at[0];
            s.last += (zigzag >>> 1) ^ -(zigzag & 1);
            return s.last;
        }
        return Long.MIN_VALUE;
    }

    /**
     * Clock time in epoch nanoseconds: {@code liveNanos} recorded, or the next recorded value at {@code site} on
     * replay. When none is left: the entry's time, advancing from there at the pace of the real clock (a loop that
     * waits for the clock to pass a deadline must still end), and never earlier than the last value handed out.
     */
    long clock(int site, long liveNanos) {
        long v = delta(CLOCK, site, liveNanos);
        if (v == Long.MIN_VALUE) {
            long now = System.nanoTime();
            if (fallbackStarted == Long.MIN_VALUE) {
                fallbackStarted = now;
            }
            v = Math.max(lastClock, fallbackClockNanos + (now - fallbackStarted));
        }
        lastClock = v;
        return v;
    }

    /**
     * {@code System.nanoTime()}: {@code live} recorded, or the next recorded value on replay. When none is left at
     * that call site: the last value it gave, advancing from there at the real pace (a duration measured across the
     * end reads as about zero, and a loop waiting for a deadline still ends); {@code live} if it gave none.
     */
    long nanoTime(int site, long live) {
        long v = delta(NANO_TIME, site, live);
        if (v != Long.MIN_VALUE) {
            return v;
        }
        Stream s = find(NANO_TIME, site);
        if (s == null || s.count == 0) {
            return live;
        }
        if (s.fallbackStarted == Long.MIN_VALUE) {
            s.fallbackStarted = live;
        }
        return s.last + (live - s.fallbackStarted);
    }

    // ---- raw values ------------------------------------------------------------------------------------------

    /**
     * Replay: whether {@code bytes} more bytes of {@code source} at {@code site} are there, counting one value asked
     * for; a stream that has too few is marked as run out. Recording: false.
     */
    boolean has(int source, int site, int bytes) {
        if (!replaying) {
            return false;
        }
        Stream s = stream(source, site);
        if (s == null) {
            return false;
        }
        s.drawn++;
        recent = s;
        if (s.length - s.read >= bytes) {
            return true;
        }
        s.ranOut = true;
        s.read = s.length;
        return false;
    }

    /** Replay, right after {@link #has} said yes: the next {@code bytes} bytes of that stream, big-endian. */
    long takeLong(int bytes) {
        Stream s = recent;
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v = v << 8 | (s.data[s.read++] & 0xFF);
        }
        return v;
    }

    /** Replay, right after {@link #has} said yes: fills {@code into}. */
    void take(byte[] into) {
        Stream s = recent;
        System.arraycopy(s.data, s.read, into, 0, into.length);
        s.read += into.length;
    }

    /** Live: records {@code v} as {@code bytes} bytes. Replay (the recorded values ran out): nothing to record. */
    void putLong(int source, int site, long v, int bytes) {
        Stream s;
        if (replaying || !room(bytes) || (s = stream(source, site)) == null) {
            return;
        }
        ensure(s, bytes);
        for (int i = bytes - 1; i >= 0; i--) {
            s.data[s.length++] = (byte) (v >>> (8 * i));
        }
        s.count++;
    }

    void put(int source, int site, byte[] values) {
        Stream s;
        if (replaying || !room(values.length) || (s = stream(source, site)) == null) {
            return;
        }
        ensure(s, values.length);
        System.arraycopy(values, 0, s.data, s.length, values.length);
        s.length += values.length;
        s.count++;
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

    private static void ensure(Stream s, int more) {
        if (s.data == null) {
            s.data = new byte[Math.max(16, more)];
        } else if (s.data.length - s.length < more) {
            s.data = Arrays.copyOf(s.data, Math.max(s.data.length * 2, s.length + more));
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
