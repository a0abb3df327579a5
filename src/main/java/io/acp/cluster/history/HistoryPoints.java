package io.acp.cluster.history;

/**
 * One metric's history over a range: {@code times[i]} (the start of a step, epoch millis) and the
 * average of the samples in that step, {@code values[i]}, oldest first; steps without samples are left out.
 */
public record HistoryPoints(String metric, HistoryRange range, long[] times, float[] values) {

    public int size() {
        return times.length;
    }
}
