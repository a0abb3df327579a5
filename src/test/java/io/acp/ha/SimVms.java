package io.acp.ha;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

/**
 * One node's HA systems in the simulation. A copy counts as running from the moment its start is
 * asked until its destroy has finished (taking up to {@code maxStopMillis}): the conservative view
 * for "at most one running copy". A machine crash kills every copy at once.
 */
final class SimVms implements HaSystems {

    private final String node;
    private final SimTime time;
    private final Random random;
    private final long maxStopMillis;
    private final Set<String> copies = new TreeSet<>();
    private final Map<String, Long> stopping = new HashMap<>();
    /** Systems in a migration to or from this node (its migration record, or a protected arrival). */
    private final Set<String> held = new TreeSet<>();
    /** How many times each system was started here: a migrated copy is moved, never started. */
    final Map<String, Integer> starts = new HashMap<>();

    SimVms(String node, SimTime time, Random random, long maxStopMillis) {
        this.node = node;
        this.time = time;
        this.random = random;
        this.maxStopMillis = maxStopMillis;
    }

    @Override
    public Set<String> running() {
        Set<String> out = new TreeSet<>(copies);
        out.removeAll(stopping.keySet());
        return out;
    }

    @Override
    public void start(String system) {
        copies.add(system);
        starts.merge(system, 1, Integer::sum);
    }

    @Override
    public Set<String> held() {
        return new TreeSet<>(held);
    }

    void hold(String system) {
        held.add(system);
    }

    void unhold(String system) {
        held.remove(system);
    }

    /** A live migration's end: the copy leaves this node, whole (not a stop). */
    boolean moveOut(String system) {
        if (!copies.contains(system) || stopping.containsKey(system)) {
            return false;
        }
        copies.remove(system);
        return true;
    }

    /** A live migration's end: the copy arrives here, running on (not a start). */
    void moveIn(String system) {
        copies.add(system);
    }

    @Override
    public void stop(String system) {
        if (!copies.contains(system) || stopping.containsKey(system)) {
            return;
        }
        long token = time.now();
        stopping.put(system, token);
        // Runs as the node's hypervisor would, even while its ACP process is paused.
        time.at(random.nextInt((int) maxStopMillis + 1), "vmm-" + node, () -> {
            if (Long.valueOf(token).equals(stopping.get(system))) {
                stopping.remove(system);
                copies.remove(system);
            }
        });
    }

    /** Copies that exist on this node now, stopping ones included. */
    Set<String> copies() {
        return new TreeSet<>(copies);
    }

    void crash() {
        copies.clear();
        stopping.clear();
        held.clear();
    }
}
