package io.acp.cluster.sync;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.Entry;

/**
 * What the sync keeps of one stats series, attached to the CDB's series itself
 * ({@link Cdb#statsAttachment}) rather than in maps of its own over the same slots: at 1 s stats
 * every received sample used to visit the CDB's series, the seal store's slot and the state
 * index's slot, each out of the cache. Now the series' look-up finds all of it, and it is dropped
 * with the series.
 */
final class StatsSlot {

    /** The author's seal of the newest sample it was given for; written on the sync thread, read by the L3 bridge. */
    private volatile SealedEntry seal;
    /** The index that counts this series in its digest (a sync restarted on a live CDB has a new one). */
    private volatile StateIndex indexedBy;

    /** The slot of an existing series, made on first use; null if the CDB holds no series for the entry's (object, node). */
    static StatsSlot of(Cdb cdb, Entry e) {
        return (StatsSlot) cdb.statsAttachment(e.key(), e.node(), StatsSlot::new);
    }

    /** Keeps the seal unless one of a newer sample is held. */
    synchronized void seal(SealedEntry s) {
        SealedEntry old = seal;
        if (old == null || s.entry().version().isNewerThan(old.entry().version())) {
            seal = s;
        }
    }

    SealedEntry seal() {
        return seal;
    }

    boolean indexedBy(StateIndex index) {
        return indexedBy == index;
    }

    void indexed(StateIndex index) {
        indexedBy = index;
    }
}
