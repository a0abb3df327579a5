package io.acp.hypervisor;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Systems in the middle of a migration on this node, going out or coming in. While a system is
 * handed off, its domain may exist here although the CDB (which may lag behind the other node's
 * write) assigns the system elsewhere: the reconcile must leave that copy alone, and other
 * operations on the system wait until the migration ends. Once the system has arrived here it
 * no longer blocks operations; its copy stays protected until the CDB shows it assigned here. Each
 * entry expires, so a migration whose source vanished half-way cannot protect a stray copy for ever.
 */
final class Handoffs {

    private record Handoff(long deadline, boolean arrived) {
    }

    private final Map<String, Handoff> handoffs = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    Handoffs(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /**
     * Marks {@code id} handed off for at most {@code ttl}; false if a hand-off of it is under way. A
     * system that has arrived here does not block a new one (it may move on at once, as an evacuation
     * right after a move does): the new hand-off protects the copy from then on.
     */
    boolean begin(String id, Duration ttl) {
        Handoff fresh = new Handoff(nanoTime.getAsLong() + ttl.toNanos(), false);
        Handoff old = handoffs.putIfAbsent(id, fresh);
        return old == null || ((!live(old) || old.arrived()) && handoffs.replace(id, old, fresh));
    }

    /** The system has arrived here: operations may go on; the copy stays protected for {@code ttl}. */
    void arrived(String id, Duration ttl) {
        handoffs.put(id, new Handoff(nanoTime.getAsLong() + ttl.toNanos(), true));
    }

    void end(String id) {
        handoffs.remove(id);
    }

    /** Systems with a hand-off under way or an arrival still protected. */
    java.util.Set<String> activeIds() {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (String id : handoffs.keySet()) {
            if (active(id)) {
                out.add(id);
            }
        }
        return out;
    }

    boolean active(String id) {
        return current(id) != null;
    }

    /** True while a migration of {@code id} is under way here: other operations must wait. */
    boolean blocks(String id) {
        Handoff h = current(id);
        return h != null && !h.arrived();
    }

    private Handoff current(String id) {
        Handoff h = handoffs.get(id);
        if (h != null && !live(h)) {
            handoffs.remove(id, h);
            return null;
        }
        return h;
    }

    private boolean live(Handoff h) {
        return nanoTime.getAsLong() - h.deadline() < 0;
    }
}
