package io.acp.ha;

import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * The HA manager's decision, made by the ownership leader only: every system owned by a node whose
 * lease has expired is given to another live node, chosen by {@link Target}. The table refuses the
 * move until the old owner's expiry plus the takeover delay, so asking early is harmless; the new
 * owner learns it at its next renewal and starts the system.
 */
final class Failover {

    /** Where a system of a failed node goes: a live node with room, by priority; empty if none has room. */
    interface Target {
        Optional<String> choose(String system, String failedNode, Set<String> liveNodes);
    }

    /** What one pass asked for: system → new owner, and systems that found no node, with the failed node. */
    record Moves(Map<String, String> asked, Map<String, String> homeless) {
    }

    private final OwnershipGroup group;
    private final LeaseTable table;
    private final Target target;
    private final LongSupplier clock;
    private final long takeoverDelayMillis;
    private final Set<String> inFlight = new HashSet<>();

    Failover(OwnershipGroup group, LeaseTable table, Target target, LongSupplier clock, long takeoverDelayMillis) {
        this.group = group;
        this.table = table;
        this.target = target;
        this.clock = clock;
        this.takeoverDelayMillis = takeoverDelayMillis;
    }

    /** One pass; does nothing unless this member leads. */
    Moves tick() {
        Map<String, String> asked = new java.util.TreeMap<>();
        Map<String, String> homeless = new java.util.TreeMap<>();
        if (!group.self().equals(group.leader())) {
            return new Moves(asked, homeless);
        }
        long now = clock.getAsLong();
        Map<String, Long> leases = table.leases();
        Set<String> live = new TreeSet<>();
        leases.forEach((node, expiry) -> {
            if (now < expiry) {
                live.add(node);
            }
        });
        table.owners().forEach((system, owner) -> {
            long expiry = leases.getOrDefault(owner, 0L);
            if (now < expiry + takeoverDelayMillis || inFlight.contains(system)) {
                return;
            }
            Optional<String> to = target.choose(system, owner, live);
            if (to.isEmpty()) {
                homeless.put(system, owner);
                return;
            }
            asked.put(system, to.get());
            inFlight.add(system);
            group.propose(new LeaseOp.Take(system, to.get(), now))
                    .whenComplete((c, e) -> inFlight.remove(system));
        });
        return new Moves(asked, homeless);
    }
}
