package io.acp.cluster.sync;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.wire.StatsSetCodec;
import io.acp.model.ObjectKey;
import io.acp.model.StatsEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * This node's stats series as it sends them in a sealed flush: as stats sets (docs/protocol.md,
 * "Stats sets"), one per part that a flushed sample falls in, each with the current sample of every
 * series of the part as the CDB holds it. The series split into parts by {@link StatsSetCodec#partOf};
 * when their number calls for another count of parts, every part goes out again under the new split.
 * Sync thread, but for {@link #seen}.
 */
final class OwnStatsSets {

    private static final Logger LOG = Logger.getLogger(OwnStatsSets.class);

    /** A set to seal: its bytes, and one of its samples (the entry that names its author). */
    record Leaf(StatsEntry sample, byte[] encoded) {
    }

    /** What a flush's samples become: sets, and the samples that could not go in one (sealed each as an entry). */
    record Flush(List<Leaf> sets, List<StatsEntry> single) {
    }

    private final String node;
    private final Cdb cdb;
    /** Every series of this node's the CDB may hold: those it flushed, and those peers gave back after a restart. */
    private final Set<ObjectKey> series = ConcurrentHashMap.newKeySet();
    private int parts;

    OwnStatsSets(String node, Cdb cdb) {
        this.node = node;
        this.cdb = cdb;
    }

    /**
     * A series of this node's that the CDB holds: one whose sample a peer gave back (this node's
     * stats from before its restart) goes in the sets of its part too, so the part's next set keeps
     * it sealed, rather than replacing the set that sealed it with one that leaves it out. Any thread.
     */
    void seen(ObjectKey key) {
        series.add(key);
    }

    /** The sets of the parts that {@code samples} (this node's) fall in, made at {@code time} on this node's clock. */
    Flush flush(List<StatsEntry> samples, long time) {
        for (StatsEntry s : samples) {
            series.add(s.key());
        }
        Set<Integer> dirty = new TreeSet<>();
        int wanted = StatsSetCodec.partsFor(series.size());
        if (wanted != parts) {
            parts = wanted;
            for (int p = 0; p < parts; p++) {
                dirty.add(p);
            }
        } else {
            for (StatsEntry s : samples) {
                dirty.add(StatsSetCodec.partOf(s.key(), parts));
            }
        }
        List<List<StatsEntry>> byPart = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            byPart.add(dirty.contains(p) ? new ArrayList<>() : null);
        }
        for (var it = series.iterator(); it.hasNext(); ) {
            ObjectKey key = it.next();
            List<StatsEntry> part = byPart.get(StatsSetCodec.partOf(key, parts));
            if (part == null) {
                continue;
            }
            StatsEntry current = cdb.latestStats(key, node);
            if (current == null) {
                it.remove(); // the series is gone (its object deleted): the part's next set leaves it out
            } else {
                part.add(current);
            }
        }
        List<Leaf> sets = new ArrayList<>();
        List<StatsEntry> single = new ArrayList<>();
        for (int p : dirty) {
            List<StatsEntry> part = byPart.get(p);
            if (part.isEmpty()) {
                continue;
            }
            try {
                sets.add(new Leaf(part.get(0), StatsSetCodec.encode(node, time, p, parts, part)));
            } catch (IllegalArgumentException e) {
                LOG.debugf("stats of part %d of node %s go as single entries: %s", p, node, e.getMessage());
                single.addAll(part);
            }
        }
        return new Flush(sets, single);
    }
}
