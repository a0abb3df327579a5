package io.acp.cluster.sync;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.Entry;
import io.acp.model.Version;

/**
 * What the sync keeps of one stats series, its author's seal of the latest sample, attached to the
 * CDB's series itself ({@link Cdb#statsAttachment}) rather than in a map of its own over the same
 * slots: at 1 s stats every received sample used to visit the CDB's series, the seal store's slot
 * and the state index's slot, each out of the cache. Now the series' look-up finds the seal, the
 * index hears of a series once ({@link Cdb#changesOfSeries}), and the seal goes with the series.
 */
final class StatsSlot {

    /** The author's seal of the newest sample it was given for; written on the sync thread, read by the L3 bridge. */
    private volatile SealedEntry seal;

    /** The slot of an existing series, made on first use; null if the CDB holds no series for the entry's (object, node). */
    static StatsSlot of(Cdb cdb, Entry e) {
        return (StatsSlot) cdb.statsAttachment(e.key(), e.node(), StatsSlot::new);
    }

    /** The held seal's version, compared in place: reading it through the seal (a second old) cost three cache misses a sample. */
    private long sealTime = Long.MIN_VALUE;
    private String sealNode;

    /** Keeps the seal unless one of a newer sample is held. */
    synchronized void seal(SealedEntry s) {
        Version v = s.entry().version();
        if (sealNode == null || v.time() > sealTime || v.time() == sealTime && v.node().compareTo(sealNode) > 0) {
            sealTime = v.time();
            sealNode = v.node();
            seal = s;
        }
    }

    SealedEntry seal() {
        return seal;
    }
}
