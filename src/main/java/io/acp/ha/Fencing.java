package io.acp.ha;

import java.util.Set;
import java.util.TreeSet;

/**
 * Keeps this node's running HA systems equal to what its lease allows: with a live lease, exactly
 * the systems it owns; without one, none. Called on every ownership tick, so a node that loses its
 * lease (cut off from the majority, or its renewals fail) has started killing its copies within
 * one tick after its deadline, and a node that comes back does not start copies it no longer owns.
 * Systems in a migration ({@link HaSystems#held}) are left alone while the lease is live: their
 * lease is handed over with them.
 *
 * <p>The bound that survivors wait for ({@code fencing bound} in docs/operations.md) is the tick
 * period plus the time a destroy takes; the takeover delay of {@link LeaseTable} adds a margin.
 */
final class Fencing {

    private final LeaseHolder holder;
    private final HaSystems systems;
    /** A node starts without a lease: fenced, so its first pass is not reported as a loss. */
    private boolean fenced = true;

    Fencing(LeaseHolder holder, HaSystems systems) {
        this.holder = holder;
        this.systems = systems;
    }

    /** One pass at local time {@code now}; returns what it did, for the log and the HA state in meta. */
    Pass tick(long now) {
        Set<String> running = systems.running();
        Set<String> allowed = holder.live(now) ? holder.owned() : Set.of();
        Set<String> stopped = new TreeSet<>(running);
        stopped.removeAll(allowed);
        Set<String> started = new TreeSet<>(allowed);
        started.removeAll(running);
        if (holder.live(now)) {
            // A migration moves these with their lease (LeaseOp.Hand): the copy and the lease are in flight.
            Set<String> held = systems.held();
            stopped.removeAll(held);
            started.removeAll(held);
        }
        for (String system : stopped) {
            systems.stop(system);
        }
        for (String system : started) {
            systems.start(system);
        }
        boolean nowFenced = !holder.live(now);
        boolean lost = nowFenced && !fenced;
        fenced = nowFenced;
        return new Pass(lost, fenced, started, stopped);
    }

    /**
     * @param leaseLost true on the first pass after the lease ended
     * @param fenced    no live lease: nothing may run here
     */
    record Pass(boolean leaseLost, boolean fenced, Set<String> started, Set<String> stopped) {
    }
}
