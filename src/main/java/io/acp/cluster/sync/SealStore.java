package io.acp.cluster.sync;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.Entry;
import io.acp.model.EntrySlot;
import io.acp.model.StatsEntry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sealed form of the latest entry per slot, as its author sealed it: what anti-entropy sends
 * when it relays an entry, so the receiver checks the author's seal, not this node's word. An
 * entry whose sealed form is not held here (e.g. a peer's object, after this node restarted) is
 * not relayed by this node; its author or another peer sends it. This node's own entries are
 * sealed afresh when they lack one. Written by the sync thread; read by it and by the L3 bridge.
 *
 * <p>Stats seals live with their series in the CDB ({@link StatsSlot}), so a sample's seal costs
 * no look-up of its own and goes when the series goes; a seal of a sample whose series the CDB
 * does not hold (yet) is not kept: put it after the merge. Objects and meta, few and rarely
 * written, keep theirs in a map here. Stats that came in a stats set keep one seal per set, by
 * author and part ({@link StatsSetSeals}).
 */
final class SealStore {

    private final Cdb cdb;
    private final Map<EntrySlot, SealedEntry> sealed = new ConcurrentHashMap<>();
    /** The seals of each author's stats sets (docs/protocol.md, "Stats sets"). */
    private final Map<String, StatsSetSeals> sets = new ConcurrentHashMap<>();
    /** The bytes of the last set kept (sync thread). */
    private byte[] lastSet;

    SealStore(Cdb cdb) {
        this.cdb = cdb;
    }

    /** Keeps a sealed entry unless a newer one of its slot is held. */
    void put(SealedEntry s) {
        if (s.inStatsSet()) {
            if (s.encoded() != lastSet) { // the other samples of a set just kept share its bytes
                sets.computeIfAbsent(s.entry().node(), n -> new StatsSetSeals()).keep(s);
                lastSet = s.encoded();
            }
            return;
        }
        if (s.entry().kind() == Entry.Kind.STATS) {
            StatsSlot slot = StatsSlot.of(cdb, s.entry());
            if (slot != null) {
                slot.seal(s);
            }
            return;
        }
        sealed.merge(EntrySlot.of(s.entry()), s, (old, neu) -> neu.entry().version().isNewerThan(old.entry().version()) ? neu : old);
    }

    /** The sealed form of exactly this entry (same version), or null. */
    SealedEntry get(Entry e) {
        if (e instanceof StatsEntry stats) {
            StatsSlot slot = StatsSlot.of(cdb, e);
            SealedEntry single = slot == null ? null : slot.sealOf(e); // a new object each call: compare versions, not identity
            if (single != null) {
                return single;
            }
            StatsSetSeals set = sets.get(e.node());
            return set == null ? null : set.sealOf(stats);
        }
        SealedEntry s = sealed.get(EntrySlot.of(e));
        return s != null && s.entry().version().equals(e.version()) ? s : null;
    }

    void forget(Entry e) {
        sealed.remove(EntrySlot.of(e));
    }

    /** Seals held for objects and meta (stats seals are counted with their series). */
    int size() {
        return sealed.size();
    }
}
