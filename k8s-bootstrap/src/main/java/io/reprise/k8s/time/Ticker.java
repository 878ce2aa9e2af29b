package io.reprise.k8s.time;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * Where the Kubernetes side of Reprise reads the time, waits, and schedules work. Every deadline and interval it
 * decides on is measured here: a Lease's renew deadline and expiry, the retry period, the rate limit of the pod
 * annotations.
 *
 * <p>Production code uses {@link #system()}. A test passes a ticker whose time moves only when the test moves it, so
 * that what the code decides does not depend on how fast a loaded machine happens to run it.
 */
public interface Ticker {

    /** The JVM's own clocks and threads. */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }

    /**
     * Nanoseconds since an arbitrary origin, like {@link System#nanoTime()}: only the difference of two readings
     * means anything. For deadlines and intervals.
     */
    long nanoTime();

    /** The wall-clock time, for timestamps written to the API server; never for deadlines (it may jump). */
    Instant instant();

    /** Blocks the calling thread for {@code duration} of this ticker's time; like {@link Thread#sleep}. */
    void sleep(Duration duration) throws InterruptedException;

    /**
     * A scheduler whose delays and periods are this ticker's time, with up to {@code threads} threads from
     * {@code threadFactory}. After {@link ScheduledExecutorService#shutdown() shutdown()} it still runs the tasks
     * already due, but no delayed or periodic ones.
     */
    ScheduledExecutorService newScheduler(int threads, ThreadFactory threadFactory);
}
