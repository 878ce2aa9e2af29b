package io.reprise.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/** Median and spread of repeated measurements: every number in the report is one of these. */
public record Stats(double median, double min, double max, int n) {

    public static Stats of(Collection<? extends Number> values) {
        List<Double> sorted = new ArrayList<>();
        for (Number v : values) {
            sorted.add(v.doubleValue());
        }
        if (sorted.isEmpty()) {
            return new Stats(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Stats(median, sorted.get(0), sorted.get(n - 1), n);
    }

    /** The {@code p}-th percentile (0-100) of {@code values}, nearest rank. */
    public static double percentile(Collection<? extends Number> values, double p) {
        List<Double> sorted = new ArrayList<>();
        for (Number v : values) {
            sorted.add(v.doubleValue());
        }
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    public boolean isEmpty() {
        return n == 0;
    }

    /** Relative spread, (max - min) / median. */
    public double relativeSpread() {
        return median == 0 ? 0 : (max - min) / median;
    }
}
