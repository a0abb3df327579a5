package io.acp.cluster.sync;

import io.acp.model.Entry;
import io.acp.model.ObjectKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The bundler of the entries this node originates: at most one entry per slot (the latest; a slot
 * written twice before a flush is sent once), drained by the sync thread. Whatever is pending when
 * the sync thread gets to it goes out together, so an idle node sends a write at once and a busy one
 * batches, and the sync flush interval bounds how often a flush (and so a signature) happens.
 * Entries that went out under pair tags are also kept, latest per slot, until the next heartbeat
 * seals them for relaying ({@link #drainAwaitingSeal()}).
 * Writers add from any thread; the sync thread drains.
 */
final class DeltaBatcher {

    private record Slot(Entry.Kind kind, ObjectKey key, String node) {
        static Slot of(Entry e) {
            return new Slot(e.kind(), e.key(), e.node());
        }
    }

    private LinkedHashMap<Slot, Entry> pending = new LinkedHashMap<>();
    private LinkedHashMap<Slot, Entry> awaitingSeal = new LinkedHashMap<>(); // sync thread only

    /** Adds an entry; returns true if it is the first since the last drain (time to schedule a flush). */
    synchronized boolean add(Entry e) {
        pending.put(Slot.of(e), e);
        return pending.size() == 1;
    }

    /** Takes everything pending, in the order first written. */
    List<Entry> drain() {
        LinkedHashMap<Slot, Entry> batch;
        synchronized (this) {
            batch = pending;
            pending = new LinkedHashMap<>();
        }
        return new ArrayList<>(batch.values());
    }

    /** Remembers entries sent under pair tags: the next heartbeat seals the latest of each slot. */
    void sentTagged(List<Entry> entries) {
        for (Entry e : entries) {
            awaitingSeal.put(Slot.of(e), e);
        }
    }

    /** Takes the entries sent under pair tags since the last call, the latest of each slot. */
    List<Entry> drainAwaitingSeal() {
        List<Entry> out = new ArrayList<>(awaitingSeal.values());
        awaitingSeal = new LinkedHashMap<>();
        return out;
    }
}
