package io.acp.monitor;

import io.acp.model.StatsEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** How much each error counter rose within a window, from a node's recent stats samples. */
public final class ErrorRises {

    private ErrorRises() {
    }

    /**
     * For each error counter of the latest sample: latest minus the oldest sample taken within
     * {@code windowMillis} before now (0 when it did not rise, or the counter was reset). A latest
     * sample older than the window shows nothing rising: its node stopped reporting.
     *
     * @param history samples oldest first
     */
    public static Map<String, Double> of(List<StatsEntry> history, long nowMillis, long windowMillis) {
        Map<String, Double> rises = new HashMap<>();
        if (history.isEmpty()) {
            return rises;
        }
        StatsEntry latest = history.get(history.size() - 1);
        long from = nowMillis - windowMillis;
        if (latest.version().millis() < from) {
            return rises;
        }
        StatsEntry base = latest;
        for (StatsEntry s : history) {
            if (s.version().millis() >= from) {
                base = s;
                break;
            }
        }
        for (Map.Entry<String, Double> e : latest.values().entrySet()) {
            if (HealthRules.isErrorCounter(e.getKey())) {
                Double before = base.values().get(e.getKey());
                double rise = before == null ? 0 : e.getValue() - before;
                rises.put(e.getKey(), Math.max(0, rise));
            }
        }
        return rises;
    }
}
