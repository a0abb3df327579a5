package io.acp.cluster;

import io.acp.model.StatsEntry;
import io.acp.model.StatsValues;
import io.acp.model.Version;
import java.util.ArrayList;
import java.util.List;

/**
 * The latest stats sample of one (object, node), a bounded ring of recent ones for charts, and
 * what a user of the CDB keeps with the series ({@link #attachment}).
 *
 * <p>The ring is flat: one {@code long[]} holds per sample its version time followed by its values
 * (raw double bits), so recording a sample writes one or two cache lines and takes no allocation,
 * and a full series of 60 samples of four values is ≈ 2.4 KB instead of a time array, a node array,
 * a names array and a {@code double[]} per sample. What nearly never varies within a series is
 * kept once: the names (an array shared with every series that reports the same, {@link StatsNames};
 * a per-sample names array is made only once they change) and the version's
 * node (a per-sample array only once a sample's differs from the series' node). A sample with more
 * values than the ring's stride widens the ring. {@link #history} rebuilds the entries. Not
 * thread-safe: guarded by the owning {@link ObjectReports}.
 */
final class StatsSeries {

    private final int capacity;
    /** Per slot: time, then {@link #stride} - 1 values (as raw long bits; unused ones are 0). */
    private long[] ring;
    private int stride;
    private int next;
    private int size;
    private StatsEntry latest;
    private Version latestVersion;
    /** {@code latest.version().time()}, compared without following two references per sample. */
    private long latestTime;
    /** The names of the newest sample; every slot's unless {@link #slotNames} exists. */
    private String[] lastNames;
    /** Per slot names, made the first time a sample's names differ from the one before. */
    private String[][] slotNames;
    /** The version node of every sample unless {@link #slotVersionNodes} exists: the first sample's. */
    private String versionNode;
    /** Per slot version nodes, made the first time a sample's differs from {@link #versionNode}. */
    private String[] slotVersionNodes;
    private Object attachment;

    private final StatsNames sharedNames;

    StatsSeries(int capacity, StatsNames sharedNames) {
        this.capacity = Math.max(1, capacity);
        this.sharedNames = sharedNames;
    }

    /** Adds a sample if it is newer than the latest; older or repeated samples are ignored. */
    boolean add(StatsEntry e) {
        Version v = e.version();
        if (latest != null && !newerThanLatest(v)) {
            return false;
        }
        latest = e;
        latestVersion = v;
        latestTime = v.time();
        StatsValues sample = (StatsValues) e.values(); // what StatsEntry always holds
        int slot = next;
        recordNames(slot, sample);
        recordVersionNode(slot, v.node());
        int width = sample.size();
        if (ring == null || width + 1 > stride) {
            widen(width + 1);
        }
        int at = slot * stride;
        ring[at] = v.time();
        for (int i = 0; i < width; i++) {
            ring[at + 1 + i] = Double.doubleToRawLongBits(sample.value(i));
        }
        next = next + 1 == capacity ? 0 : next + 1;
        if (size < capacity) {
            size++;
        }
        return true;
    }

    private void recordNames(int slot, StatsValues sample) {
        if (lastNames == null || !sample.sameNames(lastNames)) {
            if (lastNames != null && slotNames == null) {
                slotNames = new String[capacity][];
                java.util.Arrays.fill(slotNames, lastNames); // every slot held so far had these
            }
            lastNames = sharedNames.of(sample);
        }
        if (slotNames != null) {
            slotNames[slot] = lastNames;
        }
    }

    private void recordVersionNode(int slot, String node) {
        if (versionNode == null) {
            versionNode = node;
        } else if (slotVersionNodes == null && !versionNode.equals(node)) {
            slotVersionNodes = new String[capacity];
            java.util.Arrays.fill(slotVersionNodes, versionNode);
        }
        if (slotVersionNodes != null) {
            slotVersionNodes[slot] = node;
        }
    }

    /** Re-lays the ring with room for {@code newStride} longs per sample (rare: a sample with more values). */
    private void widen(int newStride) {
        long[] wider = new long[capacity * newStride];
        if (ring != null) {
            for (int s = 0; s < capacity; s++) {
                System.arraycopy(ring, s * stride, wider, s * newStride, stride);
            }
        }
        ring = wider;
        stride = newStride;
    }

    /** {@code v.isNewerThan(latest.version())}, in the same order (time, then node). */
    private boolean newerThanLatest(Version v) {
        if (v.time() != latestTime) {
            return v.time() > latestTime;
        }
        return v.node().compareTo(latestVersion.node()) > 0;
    }

    StatsEntry latest() {
        return latest;
    }

    /** {@code latest().version()}, one cache miss nearer: what the sync compares every received sample with. */
    Version latestVersion() {
        return latestVersion;
    }

    Object attachment() {
        return attachment;
    }

    void attach(Object a) {
        attachment = a;
    }

    /** Samples oldest first. */
    List<StatsEntry> history() {
        List<StatsEntry> out = new ArrayList<>(size);
        int start = (next - size + capacity) % capacity;
        for (int i = 0; i < size; i++) {
            int slot = (start + i) % capacity;
            if (i == size - 1) {
                out.add(latest); // the newest slot is the latest sample itself
            } else {
                String[] names = slotNames == null ? lastNames : slotNames[slot];
                double[] values = new double[names.length];
                int at = slot * stride;
                for (int j = 0; j < values.length; j++) {
                    values[j] = Double.longBitsToDouble(ring[at + 1 + j]);
                }
                String node = slotVersionNodes == null ? versionNode : slotVersionNodes[slot];
                out.add(new StatsEntry(latest.key(), latest.node(), StatsValues.of(names, values), new Version(ring[at], node)));
            }
        }
        return out;
    }
}
