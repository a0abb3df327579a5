package io.acp.cluster;

import io.acp.model.StatsEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The latest stats sample of one (object, node) and a bounded ring of recent ones for charts.
 * Not thread-safe: guarded by the owning {@link ObjectReports}.
 */
final class StatsSeries {

    private final StatsEntry[] ring;
    private int next;
    private int size;
    private StatsEntry latest;

    StatsSeries(int capacity) {
        this.ring = new StatsEntry[Math.max(1, capacity)];
    }

    /** Adds a sample if it is newer than the latest; older or repeated samples are ignored. */
    boolean add(StatsEntry e) {
        if (latest != null && !e.version().isNewerThan(latest.version())) {
            return false;
        }
        latest = e;
        ring[next] = e;
        next = next + 1 == ring.length ? 0 : next + 1;
        if (size < ring.length) {
            size++;
        }
        return true;
    }

    StatsEntry latest() {
        return latest;
    }

    /** Samples oldest first. */
    List<StatsEntry> history() {
        List<StatsEntry> out = new ArrayList<>(size);
        int start = (next - size + ring.length) % ring.length;
        for (int i = 0; i < size; i++) {
            out.add(ring[(start + i) % ring.length]);
        }
        return out;
    }
}
