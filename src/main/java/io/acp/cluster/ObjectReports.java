package io.acp.cluster;

import io.acp.model.MetaEntry;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the nodes report about one object: meta and stats per node, and the newest delete of the
 * object seen. Every method must be called holding this object's monitor; the CDB also enqueues
 * changes under it so each key's changes reach subscribers in version order.
 *
 * <p>Merging stays deterministic across deletes: a report is kept only if it is newer than the
 * newest tombstone ever seen for the object, whatever order reports and tombstones arrive in.
 * (Stats history is a local chart cache and may differ between nodes; the latest sample does not.)
 */
final class ObjectReports {

    private final Map<String, MetaEntry> meta = new HashMap<>(4);
    private final Map<String, StatsSeries> stats = new HashMap<>(4);
    /** The node and series {@link #series} found last (both null when none), a shortcut past {@link #stats}. */
    private String lastStatsNode;
    private StatsSeries lastStats;
    private Version deletedAt;
    /** Set when the CDB dropped this holder from its map; a writer that still holds it retries. */
    boolean retired;

    boolean mergeMeta(MetaEntry e) {
        if (!e.version().isNewerThan(deletedAt)) {
            return false;
        }
        MetaEntry old = meta.get(e.node());
        if (old != null && !e.version().isNewerThan(old.version())) {
            return false;
        }
        meta.put(e.node(), e);
        return true;
    }

    boolean mergeStats(StatsEntry e, int historySize) {
        if (!e.version().isNewerThan(deletedAt)) {
            return false;
        }
        StatsSeries series = series(e.node());
        if (series == null) {
            series = new StatsSeries(historySize);
            stats.put(e.node(), series);
            lastStatsNode = e.node();
            lastStats = series;
        }
        return series.add(e);
    }

    /**
     * The series of a node: the last one asked for without the map when the same node string asks
     * again (at scale nearly every object's stats come from one node, its owner, and every sample
     * is looked up twice: compared, then merged), else from the map.
     */
    private StatsSeries series(String node) {
        if (node == lastStatsNode) {
            return lastStats;
        }
        StatsSeries s = stats.get(node);
        if (s != null) {
            lastStatsNode = node;
            lastStats = s;
        }
        return s;
    }

    /** Records a delete of the object and drops every report not newer than the newest delete. */
    void deleted(Version tombstone) {
        if (!tombstone.isNewerThan(deletedAt)) {
            return;
        }
        deletedAt = tombstone;
        meta.values().removeIf(m -> !m.version().isNewerThan(tombstone));
        stats.values().removeIf(s -> !s.latest().version().isNewerThan(tombstone));
        lastStatsNode = null;
        lastStats = null;
    }

    /** The tombstone was collected: forget the delete. Returns true if nothing is left to keep. */
    boolean forgetDelete() {
        deletedAt = null;
        return meta.isEmpty() && stats.isEmpty();
    }

    List<MetaEntry> meta(String node) {
        List<MetaEntry> out = new ArrayList<>();
        meta.forEach((n, e) -> {
            if (node == null || node.equals(n)) {
                out.add(e);
            }
        });
        return out;
    }

    List<StatsEntry> latestStats(String node) {
        List<StatsEntry> out = new ArrayList<>();
        stats.forEach((n, s) -> {
            if (node == null || node.equals(n)) {
                out.add(s.latest());
            }
        });
        return out;
    }

    /** {@code e}'s version against the held meta of its node: positive if newer or none is held, 0 if the same. */
    int compareWithMeta(MetaEntry e) {
        MetaEntry m = meta.get(e.node());
        return m == null ? 1 : e.version().compareTo(m.version());
    }

    /** {@code e}'s version against the latest sample of its node's series: positive if newer or none is held, 0 if the same. */
    int compareWithStats(StatsEntry e) {
        StatsSeries s = series(e.node());
        return s == null ? 1 : s.compareWithLatest(e.version());
    }

    List<StatsEntry> statsHistory(String node) {
        StatsSeries s = stats.get(node);
        return s == null ? List.of() : s.history();
    }
}
