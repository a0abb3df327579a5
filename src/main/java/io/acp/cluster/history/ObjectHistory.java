package io.acp.cluster.history;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * The history of one object's stats as this node reported them: one {@link TierRing} per range,
 * and the store-wide ids of the metrics seen (their position here indexes the rings).
 */
final class ObjectHistory {

    final TierRing[] tiers;
    int[] metricIds = new int[0];
    /** A sample arrived since this object was last written to disk. */
    boolean dirty;

    ObjectHistory() {
        HistoryRange[] ranges = HistoryRange.values();
        tiers = new TierRing[ranges.length];
        for (int i = 0; i < ranges.length; i++) {
            tiers[i] = new TierRing(ranges[i]);
        }
    }

    /**
     * Adds one sample to every range. A metric not seen before gets its rings only if
     * {@code reserve} grants one more series; values that are not finite are skipped.
     */
    synchronized void add(long millis, Map<String, Double> values, MetricNames names, BooleanSupplier reserve) {
        dirty = true;
        boolean[] open = new boolean[tiers.length];
        for (int t = 0; t < tiers.length; t++) {
            open[t] = tiers[t].enter(millis);
        }
        for (Map.Entry<String, Double> e : values.entrySet()) {
            Double v = e.getValue();
            if (v == null || !Double.isFinite(v)) {
                continue;
            }
            int m = local(names.id(e.getKey()), reserve);
            if (m < 0) {
                continue;
            }
            for (int t = 0; t < tiers.length; t++) {
                if (open[t]) {
                    tiers[t].add(m, v);
                }
            }
        }
    }

    /** Everything held is on disk now (just saved, or just loaded). Call holding this object's lock. */
    void markSaved() {
        dirty = false;
        for (TierRing t : tiers) {
            t.saved = t.current;
        }
    }

    /** The position of a metric, added if new and the budget allows; -1 if refused. */
    int local(int id, BooleanSupplier reserve) {
        for (int i = 0; i < metricIds.length; i++) {
            if (metricIds[i] == id) {
                return i;
            }
        }
        if (!reserve.getAsBoolean()) {
            return -1;
        }
        metricIds = Arrays.copyOf(metricIds, metricIds.length + 1);
        metricIds[metricIds.length - 1] = id;
        for (TierRing t : tiers) {
            t.addMetric();
        }
        return metricIds.length - 1;
    }

    synchronized Optional<HistoryPoints> points(int metricId, String metric, HistoryRange range, long nowMillis) {
        for (int i = 0; i < metricIds.length; i++) {
            if (metricIds[i] == metricId) {
                return Optional.of(tiers[range.ordinal()].points(metric, i, nowMillis));
            }
        }
        return Optional.empty();
    }

    synchronized int[] metricIds() {
        return metricIds.clone();
    }

    synchronized int metricCount() {
        return metricIds.length;
    }

    synchronized long bytes() {
        long b = (long) metricIds.length * Integer.BYTES;
        for (TierRing t : tiers) {
            b += t.bytes();
        }
        return b;
    }
}
