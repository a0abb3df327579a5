package io.acp.cluster;

import io.acp.model.ObjectKey;

/**
 * Where the stats of one key are merged, kept by a caller that merges samples of the same keys
 * again and again: the sync merges each peer's stats sets every second, and a target found once
 * saves each later sample the look-up of its key in the CDB (a walk of a large hash table whose
 * lines are cold by then: a fifth of the sync thread at 256 nodes). The holder is found on the
 * first merge, not when the target is made, so a target whose sample is refused leaves no trace;
 * a holder retired since (its object deleted) is looked up again. Used by one thread at a time.
 */
public final class StatsTarget {

    private final ObjectKey key;
    /** The key's reports holder once a merge found it; written only by merges through this target. */
    ObjectReports reports;

    public StatsTarget(ObjectKey key) {
        this.key = key;
    }

    public ObjectKey key() {
        return key;
    }

    /** Whether this target is the one for {@code k}: the same key instance (the sync's decoded keys are shared) or an equal one. */
    public boolean isFor(ObjectKey k) {
        return key == k || key.equals(k);
    }
}
