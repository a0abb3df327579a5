package io.acp.cluster.history;

import java.util.Arrays;

/**
 * One resolution of one object's history: a ring of {@code range.steps()} slots per metric, each a
 * primitive float (the step's average), and one shared ring of the step number each slot holds,
 * so a slot left over from an earlier lap is recognised as empty. Only the step being filled keeps
 * a running sum and count; a sample older than that step is ignored by this ring.
 * Not thread-safe: guarded by the owning {@link ObjectHistory}.
 */
final class TierRing {

    /** Steps count from 2020-01-01 so that a second-resolution step number fits an int until 2088. */
    static final long EPOCH_MILLIS = 1_577_836_800_000L;
    static final int EMPTY = Integer.MIN_VALUE;

    final HistoryRange range;
    final int[] stamps;
    float[][] values = new float[0][];
    double[] sums = new double[0];
    int[] counts = new int[0];
    /** The step being filled; EMPTY before the first sample. */
    int current = EMPTY;
    /**
     * The step that was being filled when this ring was last written to disk (EMPTY: never): the
     * slots of steps from it to {@link #current} are what changed since ({@link HistoryLog}).
     */
    int saved = EMPTY;

    TierRing(HistoryRange range) {
        this.range = range;
        this.stamps = new int[range.steps()];
        Arrays.fill(stamps, EMPTY);
    }

    int step(long millis) {
        return (int) Math.floorDiv(millis - EPOCH_MILLIS, range.stepMillis());
    }

    long startOf(int step) {
        return EPOCH_MILLIS + step * range.stepMillis();
    }

    int slot(int step) {
        return Math.floorMod(step, stamps.length);
    }

    /** Makes room for one more metric (its slots all empty). */
    void addMetric() {
        int n = values.length;
        values = Arrays.copyOf(values, n + 1);
        float[] ring = new float[stamps.length];
        Arrays.fill(ring, Float.NaN);
        values[n] = ring;
        sums = Arrays.copyOf(sums, n + 1);
        counts = Arrays.copyOf(counts, n + 1);
    }

    /**
     * Opens the step of {@code millis} if it is newer than the current one; returns false if the
     * sample belongs to an older step (this ring keeps averages only of the step being filled).
     */
    boolean enter(long millis) {
        int step = step(millis);
        if (current != EMPTY && step < current) {
            return false;
        }
        if (step != current) {
            current = step;
            int slot = slot(step);
            stamps[slot] = step;
            for (float[] ring : values) {
                ring[slot] = Float.NaN;
            }
            Arrays.fill(sums, 0);
            Arrays.fill(counts, 0);
        }
        return true;
    }

    /** Adds a value of metric {@code m} to the current step; call after {@link #enter} said yes. */
    void add(int m, double v) {
        sums[m] += v;
        counts[m]++;
        values[m][slot(current)] = (float) (sums[m] / counts[m]);
    }

    /** Filled steps of metric {@code m} in the range's window ending at {@code nowMillis}, oldest first. */
    HistoryPoints points(String metric, int m, long nowMillis) {
        int last = step(nowMillis);
        int first = last - stamps.length + 1;
        long[] times = new long[stamps.length];
        float[] vals = new float[stamps.length];
        int n = 0;
        float[] ring = values[m];
        for (int step = first; step <= last; step++) {
            int slot = slot(step);
            if (stamps[slot] == step && !Float.isNaN(ring[slot])) {
                times[n] = startOf(step);
                vals[n] = ring[slot];
                n++;
            }
        }
        return new HistoryPoints(metric, range, Arrays.copyOf(times, n), Arrays.copyOf(vals, n));
    }

    /**
     * Steps whose slots changed since the last save, oldest first: from {@link #saved} (its step
     * may have been filled further) to {@link #current}, only those a slot still holds; every filled
     * slot when never saved or a lap or more ago.
     */
    int[] changedSteps() {
        if (current == EMPTY) {
            return new int[0];
        }
        int first = saved == EMPTY || current - saved >= stamps.length ? current - stamps.length + 1 : saved;
        int[] out = new int[current - first + 1];
        int n = 0;
        for (int step = first; step <= current; step++) {
            if (stamps[slot(step)] == step) {
                out[n++] = step;
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Puts a saved step's values back (a log replay): a slot taken over by a newer step starts empty for every metric. */
    void restore(int step, int m, float v) {
        int slot = slot(step);
        if (stamps[slot] != step) {
            stamps[slot] = step;
            for (float[] ring : values) {
                ring[slot] = Float.NaN;
            }
        }
        values[m][slot] = v;
    }

    /** Bytes this ring holds (its arrays), for the memory figure. */
    long bytes() {
        return (long) stamps.length * Integer.BYTES + (long) values.length * (stamps.length * Float.BYTES + Double.BYTES + Integer.BYTES);
    }
}
