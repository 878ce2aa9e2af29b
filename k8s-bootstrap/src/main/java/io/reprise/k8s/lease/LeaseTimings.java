package io.reprise.k8s.lease;

import java.time.Duration;

/**
 * How a Lease is held.
 *
 * <ul>
 *   <li>{@code duration}: how long other pods wait, after the last renewal they saw, before they take the Lease.
 *       It bounds how long a dead holder blocks its successor (node failure, force delete).</li>
 *   <li>{@code renewDeadline}: the holder fences itself when it has not renewed for this long. It is shorter than
 *       {@code duration}, so the old holder stops writing before any other pod may start: the difference is the
 *       safety margin, and must cover the time from the deadline to the last write refused.</li>
 *   <li>{@code retryPeriod}: how often the holder renews, and how often a waiting pod looks again.</li>
 * </ul>
 *
 * @param duration      whole seconds (the Lease stores seconds)
 * @param renewDeadline less than {@code duration}
 * @param retryPeriod   less than {@code renewDeadline}
 */
public record LeaseTimings(Duration duration, Duration renewDeadline, Duration retryPeriod) {

    /** 15 s, 10 s, 2 s: the values Kubernetes' own controllers use for leader election. */
    public static final LeaseTimings DEFAULT = new LeaseTimings(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));

    public LeaseTimings {
        if (duration.isNegative() || duration.isZero() || duration.toMillis() % 1000 != 0) {
            throw new IllegalArgumentException("the Lease duration must be a positive whole number of seconds, not " + duration);
        }
        if (renewDeadline.compareTo(duration) >= 0 || renewDeadline.isNegative() || renewDeadline.isZero()) {
            throw new IllegalArgumentException("the renew deadline (" + renewDeadline + ") must be positive and shorter than the Lease duration ("
                    + duration + "), so that a holder fences itself before another pod may take the Lease");
        }
        if (retryPeriod.compareTo(renewDeadline) >= 0 || retryPeriod.isNegative() || retryPeriod.isZero()) {
            throw new IllegalArgumentException("the retry period (" + retryPeriod + ") must be positive and shorter than the renew deadline ("
                    + renewDeadline + "), so that a holder gets more than one try to renew");
        }
    }

    int durationSeconds() {
        return (int) duration.toSeconds();
    }
}
