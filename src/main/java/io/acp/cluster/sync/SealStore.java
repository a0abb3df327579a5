package io.acp.cluster.sync;

import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.Entry;
import io.acp.model.ObjectKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sealed form of the latest entry per slot, as its author sealed it: what anti-entropy sends
 * when it relays an entry, so the receiver checks the author's seal, not this node's word. An
 * entry whose sealed form is not held here (e.g. a peer's object, after this node restarted) is
 * not relayed by this node; its author or another peer sends it. This node's own entries are
 * sealed afresh when they lack one. Written by the sync thread; read by it and by the L3 bridge.
 */
final class SealStore {

    private record Slot(Entry.Kind kind, ObjectKey key, String node) {
        static Slot of(Entry e) {
            return new Slot(e.kind(), e.key(), e.kind() == Entry.Kind.OBJECT ? "" : e.node());
        }
    }

    private final Map<Slot, SealedEntry> sealed = new ConcurrentHashMap<>();

    /** Keeps a sealed entry unless a newer one of its slot is held. */
    void put(SealedEntry s) {
        sealed.merge(Slot.of(s.entry()), s, (old, neu) -> neu.entry().version().isNewerThan(old.entry().version()) ? neu : old);
    }

    /**
     * Keeps a sealed entry its caller found newer than what the CDB holds of its slot, replacing
     * what the slot holds without reading it: the held seal is cold memory at scale (one of 12,600
     * series per sample), and one newer than the CDB's can only be of an entry the CDB refused.
     */
    void putNewer(SealedEntry s) {
        sealed.put(Slot.of(s.entry()), s);
    }

    /** The sealed form of exactly this entry (same version), or null. */
    SealedEntry get(Entry e) {
        SealedEntry s = sealed.get(Slot.of(e));
        return s != null && s.entry().version().equals(e.version()) ? s : null;
    }

    void forget(Entry e) {
        sealed.remove(Slot.of(e));
    }

    int size() {
        return sealed.size();
    }
}
