package io.acp.cluster.history;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Metric names of one history store, each kept once: series refer to a name by its index, so a
 * thousand systems reporting {@code cpu} hold one string, not a thousand map keys.
 */
final class MetricNames {

    private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
    private final List<String> names = new ArrayList<>();

    /** The index of a name, assigned on first use. */
    int id(String name) {
        Integer id = ids.get(name);
        if (id != null) {
            return id;
        }
        synchronized (names) {
            return ids.computeIfAbsent(name, n -> {
                names.add(n);
                return names.size() - 1;
            });
        }
    }

    String name(int id) {
        synchronized (names) {
            return names.get(id);
        }
    }

    /** Every name, in index order (for snapshots). */
    List<String> all() {
        synchronized (names) {
            return List.copyOf(names);
        }
    }

    int size() {
        synchronized (names) {
            return names.size();
        }
    }
}
