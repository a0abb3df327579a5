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
    /**
     * The series of the first node that reports stats of this object, in fields rather than a map:
     * nearly every object has exactly one (its host's), and a received sample then finds it in
     * three reads where a map costs six, each a cache miss at one sample per series a second.
     */
    private String firstNode;
    private StatsSeries first;
    /** The series of every other reporting node; null until there is one. */
    private Map<String, StatsSeries> otherStats;
    private Version deletedAt;
    /** Versions of reports forgotten by {@link #dropMeta}/{@link #dropStats}, by kind and node; null until one is. */
    private Map<String, Version> forgotten;
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

    /** How a stats sample was merged. */
    enum StatsMerge { STALE, SAMPLE, FIRST_OF_SERIES }

    StatsMerge mergeStats(StatsEntry e, int historySize, StatsNames names) {
        if (!e.version().isNewerThan(deletedAt)) {
            return StatsMerge.STALE;
        }
        boolean starts = false;
        StatsSeries series = series(e.node());
        if (series == null) {
            series = new StatsSeries(historySize, names);
            starts = true;
            if (first == null) {
                firstNode = e.node();
                first = series;
            } else {
                if (otherStats == null) {
                    otherStats = new HashMap<>(4);
                }
                otherStats.put(e.node(), series);
            }
        }
        if (!series.add(e)) {
            return StatsMerge.STALE;
        }
        return starts ? StatsMerge.FIRST_OF_SERIES : StatsMerge.SAMPLE;
    }

    private StatsSeries series(String node) {
        if (first != null && firstNode.equals(node)) {
            return first;
        }
        return otherStats == null ? null : otherStats.get(node);
    }

    /** Every series with its node. */
    private void forEachSeries(java.util.function.BiConsumer<String, StatsSeries> action) {
        if (first != null) {
            action.accept(firstNode, first);
        }
        if (otherStats != null) {
            otherStats.forEach(action);
        }
    }

    /** Records a delete of the object and drops every report not newer than the newest delete. */
    void deleted(Version tombstone) {
        if (!tombstone.isNewerThan(deletedAt)) {
            return;
        }
        deletedAt = tombstone;
        meta.values().removeIf(m -> !m.version().isNewerThan(tombstone));
        if (first != null && !first.latest().version().isNewerThan(tombstone)) {
            first = null;
            firstNode = null;
        }
        if (otherStats != null) {
            otherStats.values().removeIf(s -> !s.latest().version().isNewerThan(tombstone));
        }
    }

    /** Drops {@code node}'s meta if it is still exactly {@code version}; returns whether it did. */
    boolean dropMeta(String node, Version version) {
        MetaEntry m = meta.get(node);
        if (m == null || !m.version().equals(version)) {
            return false;
        }
        meta.remove(node);
        forgot("m", node, version);
        return true;
    }

    /** Drops {@code node}'s stats series (history and attachment with it) if its latest sample is still exactly {@code version}. */
    boolean dropStats(String node, Version version) {
        StatsSeries s = series(node);
        if (s == null || !s.latestVersion().equals(version)) {
            return false;
        }
        if (s == first) {
            first = null;
            firstNode = null;
        } else {
            otherStats.remove(node);
        }
        forgot("s", node, version);
        return true;
    }

    private void forgot(String kind, String node, Version version) {
        if (forgotten == null) {
            forgotten = new HashMap<>(4);
        }
        forgotten.put(kind + node, version);
    }

    /**
     * Whether a report just merged into a slot forgotten before is a return, not a change: back at
     * the version forgotten, or older than it. Subscribers saw the forgotten version; an older one
     * (a peer relays a sealed report the author replaced before it restarted) is what this node now
     * holds, but announcing it would show them the slot going back in time. The mark goes once a
     * version at or above it is merged (a newer one is a change). A null check on the hot path of
     * stats samples.
     */
    boolean takenBack(boolean stats, String node, Version version) {
        if (forgotten == null) {
            return false;
        }
        String slot = (stats ? "s" : "m") + node;
        Version was = forgotten.get(slot);
        if (was == null) {
            return false;
        }
        if (was.isNewerThan(version)) {
            return true; // the mark stays: the forgotten version itself may still come back
        }
        forgotten.remove(slot);
        if (forgotten.isEmpty()) {
            forgotten = null;
        }
        return was.equals(version);
    }

    /** The tombstone was collected: forget the delete. Returns true if nothing is left to keep. */
    boolean forgetDelete() {
        deletedAt = null;
        return meta.isEmpty() && first == null && (otherStats == null || otherStats.isEmpty());
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
        forEachSeries((n, s) -> {
            if (node == null || node.equals(n)) {
                out.add(s.latest());
            }
        });
        return out;
    }

    Version metaVersion(String node) {
        MetaEntry m = meta.get(node);
        return m == null ? null : m.version();
    }

    StatsEntry latestSample(String node) {
        StatsSeries s = series(node);
        return s == null ? null : s.latest();
    }

    Version statsVersion(String node) {
        StatsSeries s = series(node);
        return s == null ? null : s.latestVersion();
    }

    /** The attachment of the node's series, made by {@code ifAbsent} on first use; null if no series. */
    Object statsAttachment(String node, java.util.function.Supplier<?> ifAbsent) {
        StatsSeries s = series(node);
        if (s == null) {
            return null;
        }
        Object a = s.attachment();
        if (a == null) {
            a = ifAbsent.get();
            s.attach(a);
        }
        return a;
    }

    List<StatsEntry> statsHistory(String node) {
        StatsSeries s = series(node);
        return s == null ? List.of() : s.history();
    }
}
