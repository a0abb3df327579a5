package io.acp.cluster.history;

import io.acp.model.ObjectKey;
import io.acp.model.StatsEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stats history one node keeps of what it reported itself: per object and metric, the last
 * hour at 1 s, the last day at 1 min and the last 30 days at 10 min ({@link HistoryRange}), each a
 * ring of primitive floats. Memory is bounded: a series (object, metric) costs a fixed
 * {@link #BYTES_PER_SERIES} whatever the sample rate, and at most {@code maxSeries} are kept;
 * metrics beyond that are counted in {@link #refused()} and not recorded.
 *
 * <p>Other nodes' stats are not kept here: a node answers for its own history, so the memory one
 * node spends does not grow with the cluster.
 */
public final class StatsHistory {

    /** Floats of one metric over all ranges plus its share of nothing else: 9,360 slots. */
    public static final long BYTES_PER_SERIES = (long) (HistoryRange.HOUR.steps() + HistoryRange.DAY.steps() + HistoryRange.MONTH.steps()) * Float.BYTES;

    private final String node;
    private final int maxSeries;
    final MetricNames names = new MetricNames();
    final ConcurrentHashMap<ObjectKey, ObjectHistory> objects = new ConcurrentHashMap<>();
    private final AtomicInteger series = new AtomicInteger();
    private final AtomicLong refused = new AtomicLong();
    /** Objects forgotten since the last save, for {@link HistoryLog}. */
    final Set<ObjectKey> forgotten = ConcurrentHashMap.newKeySet();
    /** Metric names on disk (in the base or a log frame); only the saving thread touches it. */
    volatile int namesSaved;

    public StatsHistory(String node, int maxSeries) {
        this.node = node;
        this.maxSeries = maxSeries;
    }

    public String node() {
        return node;
    }

    /** Records a stats change if this node reported it; other nodes' samples are ignored. */
    public void add(StatsEntry e) {
        if (node.equals(e.node())) {
            add(e.key(), e.version().millis(), e.values());
        }
    }

    /** Records one sample of an object taken at {@code millis}. */
    public void add(ObjectKey key, long millis, Map<String, Double> values) {
        objects.computeIfAbsent(key, k -> new ObjectHistory()).add(millis, values, names, this::reserve);
    }

    boolean reserve() {
        while (true) {
            int n = series.get();
            if (n >= maxSeries) {
                refused.incrementAndGet();
                return false;
            }
            if (series.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Drops an object's history (the object was deleted). */
    public void forget(ObjectKey key) {
        ObjectHistory h = objects.remove(key);
        if (h != null) {
            series.addAndGet(-h.metricCount());
            forgotten.add(key);
        }
    }

    /**
     * The history of an object's metrics over a range ending at {@code nowMillis}; every metric
     * it has when {@code metrics} is null or empty. Unknown metrics are left out.
     */
    public List<HistoryPoints> query(ObjectKey key, Collection<String> metrics, HistoryRange range, long nowMillis) {
        ObjectHistory h = objects.get(key);
        List<HistoryPoints> out = new ArrayList<>();
        if (h == null) {
            return out;
        }
        Collection<String> wanted = metrics == null || metrics.isEmpty() ? metrics(key) : metrics;
        for (String m : wanted) {
            h.points(names.id(m), m, range, nowMillis).ifPresent(out::add);
        }
        return out;
    }

    /** The metrics recorded for an object, sorted; empty if none. */
    public Set<String> metrics(ObjectKey key) {
        Set<String> out = new TreeSet<>();
        ObjectHistory h = objects.get(key);
        if (h != null) {
            for (int id : h.metricIds()) {
                out.add(names.name(id));
            }
        }
        return out;
    }

    public boolean has(ObjectKey key) {
        return objects.containsKey(key);
    }

    /** Series (object, metric) kept. */
    public int seriesCount() {
        return series.get();
    }

    public int maxSeries() {
        return maxSeries;
    }

    /** New metrics not recorded because the store was full. */
    public long refused() {
        return refused.get();
    }

    /** Bytes the rings hold (array payloads, not object headers). */
    public long bytes() {
        long b = 0;
        for (ObjectHistory h : objects.values()) {
            b += h.bytes();
        }
        return b;
    }

    /** Called by a snapshot load: the series a loaded object brings count against the bound. */
    void adopt(ObjectKey key, ObjectHistory h) {
        objects.put(key, h);
        series.addAndGet(h.metricCount());
    }
}
