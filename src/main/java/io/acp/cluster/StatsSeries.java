package io.acp.cluster;

import io.acp.model.StatsEntry;
import io.acp.model.StatsValues;
import io.acp.model.Version;
import java.util.ArrayList;
import java.util.List;

/**
 * The latest stats sample of one (object, node) and a bounded ring of recent ones for charts.
 * The ring is primitive: per sample its version time, the writer's node, the names (one array
 * shared by consecutive samples with the same names) and the values in a {@code double[]} that
 * is reused when the ring wraps, so a full ring takes no allocation per sample and about 65 bytes
 * per sample instead of a kept entry with its map and boxed values. {@link #history} rebuilds the
 * entries. Not thread-safe: guarded by the owning {@link ObjectReports}.
 */
final class StatsSeries {

    private final long[] times;
    private final String[] versionNodes;
    private final String[][] names;
    private final double[][] values;
    private int next;
    private int size;
    private StatsEntry latest;
    /** {@code latest.version().time()}, compared without following two references per sample. */
    private long latestTime;
    /** The names of the newest sample, shared by the ring slots of the samples that have the same. */
    private String[] lastNames;

    StatsSeries(int capacity) {
        int n = Math.max(1, capacity);
        this.times = new long[n];
        this.versionNodes = new String[n];
        this.names = new String[n][];
        this.values = new double[n][];
    }

    /** Adds a sample if it is newer than the latest; older or repeated samples are ignored. */
    boolean add(StatsEntry e) {
        Version v = e.version();
        if (compareWithLatest(v) <= 0) {
            return false;
        }
        latest = e;
        latestTime = v.time();
        StatsValues sample = (StatsValues) e.values(); // what StatsEntry always holds
        if (lastNames == null || !sample.sameNames(lastNames)) {
            lastNames = sample.copyNames();
        }
        int slot = next;
        times[slot] = v.time();
        versionNodes[slot] = v.node();
        names[slot] = lastNames;
        double[] row = values[slot];
        if (row == null || row.length != sample.size()) {
            row = new double[sample.size()];
            values[slot] = row;
        }
        for (int i = 0; i < row.length; i++) {
            row[i] = sample.value(i);
        }
        next = next + 1 == times.length ? 0 : next + 1;
        if (size < times.length) {
            size++;
        }
        return true;
    }

    /** {@code v.compareTo(latest.version())} (positive if there is none), reading the latest entry only when the times are equal. */
    int compareWithLatest(Version v) {
        if (latest == null) {
            return 1;
        }
        if (v.time() != latestTime) {
            return v.time() > latestTime ? 1 : -1;
        }
        return v.node().compareTo(latest.version().node());
    }

    StatsEntry latest() {
        return latest;
    }

    /** Samples oldest first. */
    List<StatsEntry> history() {
        List<StatsEntry> out = new ArrayList<>(size);
        int start = (next - size + times.length) % times.length;
        for (int i = 0; i < size; i++) {
            int slot = (start + i) % times.length;
            if (i == size - 1) {
                out.add(latest); // the newest slot is the latest sample itself
            } else {
                out.add(new StatsEntry(latest.key(), latest.node(), StatsValues.of(names[slot], values[slot].clone()),
                        new Version(times[slot], versionNodes[slot])));
            }
        }
        return out;
    }
}
