package io.acp.cluster.bridge;

import io.acp.model.Entry;
import io.acp.model.EntrySlot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Entries of other local nodes that a bridge link could not send yet, because this node does not
 * hold their author's seal yet. In a small group a write reaches the other members in a tagged
 * delta, proven by pair tags, and its author's seal follows at the author's next heartbeat and
 * again at the one after (docs/protocol.md, "Tagged deltas"). A link that saw such an entry as a
 * CDB change before its seal came would otherwise never send it: only a later link's full state
 * would. So the link hands them here and tries them again; an entry whose seal has not come within
 * {@link #GIVE_UP_MILLIS} (its author is gone, or it was loaded from the journal and no peer re-sent
 * it) is given up and counted ({@code bridge.entries.unsealed-skipped}). One entry per slot: a newer
 * change of the slot replaces the older one, and one sent with its seal (or come back from the
 * remote side) ends the wait. Used by the link's writer thread only.
 */
final class SealWait {

    /** Far beyond the two heartbeats (about a second) in which an author re-sends a seal. */
    static final long GIVE_UP_MILLIS = 10_000;
    /** Slots that may wait at once; beyond this the longest waiting is given up, so a link's memory stays bounded. */
    static final int MAX_WAITING = 100_000;

    private record Waiting(Entry entry, long sinceNanos) {
    }

    private final Map<EntrySlot, Waiting> waiting = new LinkedHashMap<>();
    private final BridgeCounters counters;
    private final int maxWaiting;

    SealWait(BridgeCounters counters) {
        this(counters, MAX_WAITING);
    }

    SealWait(BridgeCounters counters, int maxWaiting) {
        this.counters = counters;
        this.maxWaiting = maxWaiting;
    }

    /**
     * The outcome of a batch the link tried to send at {@code nowNanos}: the {@code unsealed} among
     * {@code tried} wait (unless their slot already waits with a newer entry), the others were sent
     * with their seals and end the wait of their slot.
     */
    void tried(List<Entry> tried, List<Entry> unsealed, long nowNanos) {
        Set<Entry> notSent = Collections.newSetFromMap(new IdentityHashMap<>());
        notSent.addAll(unsealed);
        for (Entry e : tried) {
            if (notSent.contains(e)) {
                await(e, nowNanos);
            } else {
                settled(e);
            }
        }
    }

    private void await(Entry e, long nowNanos) {
        EntrySlot slot = EntrySlot.of(e);
        Waiting w = waiting.get(slot);
        if (w != null && !e.version().isNewerThan(w.entry().version())) {
            return; // the same entry tried again keeps its first wait time, so it is given up in time
        }
        waiting.remove(slot);
        waiting.put(slot, new Waiting(e, nowNanos));
        if (waiting.size() > maxWaiting) {
            Iterator<Waiting> eldest = waiting.values().iterator();
            eldest.next();
            eldest.remove();
            counters.unsealedSkipped();
        }
    }

    /**
     * {@code e} need not go any more: sent with its seal, or an echo of what the remote side sent
     * (it holds it). An older or equal entry of its slot stops waiting.
     */
    void settled(Entry e) {
        EntrySlot slot = EntrySlot.of(e);
        Waiting w = waiting.get(slot);
        if (w != null && !w.entry().version().isNewerThan(e.version())) {
            waiting.remove(slot);
        }
    }

    /**
     * The waiting entries to try again now. They keep waiting until one of their slot is settled
     * ({@link #settled}); those that waited longer than {@link #GIVE_UP_MILLIS} are given up instead.
     */
    List<Entry> due(long nowNanos) {
        List<Entry> again = new ArrayList<>(waiting.size());
        long giveUp = TimeUnit.MILLISECONDS.toNanos(GIVE_UP_MILLIS);
        for (Iterator<Waiting> it = waiting.values().iterator(); it.hasNext(); ) {
            Waiting w = it.next();
            if (nowNanos - w.sinceNanos() >= giveUp) {
                it.remove();
                counters.unsealedSkipped();
            } else {
                again.add(w.entry());
            }
        }
        return again;
    }

    boolean isEmpty() {
        return waiting.isEmpty();
    }

    int size() {
        return waiting.size();
    }
}
