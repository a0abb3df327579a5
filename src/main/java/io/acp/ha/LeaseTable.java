package io.acp.ha;

import io.microraft.statemachine.StateMachine;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The replicated state machine of ownership: node liveness leases (node → expiry) and system owners
 * (system → node). A node owns a system while the table names it the owner <em>and</em> its lease is
 * live; the lease is granted by the majority that committed the renewal, so two sides of a partition
 * can never both hold one.
 *
 * <p>Time: each operation carries its proposer's clock; the table's clock is the highest seen. A
 * renewal proposed at local time {@code t} is granted until at least {@code t + duration}, so the
 * holder's own deadline ({@code t + duration}, see {@link LeaseHolder}) is never later than the
 * table's. A system of an expired node moves only when the table's clock has passed the expiry by
 * {@code takeoverDelayMillis} (the fencing bound plus a margin for clock skew), by which time the
 * old owner has stopped its copy ({@link Fencing}).
 *
 * <p>Applied on the Raft executor; read by other threads through the synchronized accessors.
 */
final class LeaseTable implements StateMachine {

    private final long takeoverDelayMillis;
    private long clock;
    private final Map<String, Long> leases = new HashMap<>();
    private final Map<String, String> owners = new TreeMap<>();

    LeaseTable(long takeoverDelayMillis) {
        if (takeoverDelayMillis <= 0) {
            throw new IllegalArgumentException("takeover delay must be positive, got " + takeoverDelayMillis);
        }
        this.takeoverDelayMillis = takeoverDelayMillis;
    }

    @Override
    public synchronized Object runOperation(long commitIndex, Object operation) {
        if (!(operation instanceof LeaseOp op)) {
            throw new IllegalArgumentException("not a lease operation at index " + commitIndex + ": " + operation);
        }
        if (op instanceof LeaseOp.Renew r) {
            tick(r.now());
            long expiry = Math.max(leases.getOrDefault(r.node(), 0L), clock + r.durationMillis());
            leases.put(r.node(), expiry);
            return new LeaseResult.Granted(r.node(), expiry, ownedBy(r.node()));
        }
        if (op instanceof LeaseOp.Take t) {
            tick(t.now());
            return take(t);
        }
        if (op instanceof LeaseOp.Hand h) {
            tick(h.now());
            String owner = owners.get(h.system());
            if (!h.from().equals(owner) || !live(h.from())) {
                return new LeaseResult.Refused(h.system(), "node " + h.from() + " cannot hand over system " + h.system()
                        + ": " + (h.from().equals(owner) ? "its lease has expired" : "it is owned by " + (owner == null ? "no node" : "node " + owner)));
            }
            owners.put(h.system(), h.to());
            return new LeaseResult.Owner(h.system(), h.to());
        }
        if (op instanceof LeaseOp.Release r) {
            tick(r.now());
            owners.remove(r.system(), r.node());
            return new LeaseResult.Done();
        }
        return new LeaseResult.Done();
    }

    private LeaseResult take(LeaseOp.Take t) {
        if (!live(t.node())) {
            return new LeaseResult.Refused(t.system(), "node " + t.node() + " cannot take system " + t.system() + ": it holds no live lease");
        }
        String owner = owners.get(t.system());
        if (owner != null && !owner.equals(t.node())) {
            long free = leases.getOrDefault(owner, 0L) + takeoverDelayMillis;
            if (clock < free) {
                return new LeaseResult.Refused(t.system(), "system " + t.system() + " is owned by node " + owner
                        + (live(owner) ? ", whose lease is live" : ", whose lease expired; it may move in " + (free - clock) + " ms, once node " + owner + " has fenced it"));
            }
        }
        owners.put(t.system(), t.node());
        return new LeaseResult.Owner(t.system(), t.node());
    }

    private void tick(long now) {
        clock = Math.max(clock, now);
    }

    private boolean live(String node) {
        return clock < leases.getOrDefault(node, 0L);
    }

    private List<String> ownedBy(String node) {
        List<String> out = new ArrayList<>();
        owners.forEach((system, owner) -> {
            if (owner.equals(node)) {
                out.add(system);
            }
        });
        return List.copyOf(out);
    }

    @Override
    public synchronized void takeSnapshot(long commitIndex, Consumer<Object> chunks) {
        chunks.accept(new LeaseSnapshot(clock, Map.copyOf(leases), Map.copyOf(owners)));
    }

    @Override
    public synchronized void installSnapshot(long commitIndex, List<Object> chunks) {
        leases.clear();
        owners.clear();
        clock = 0;
        for (Object chunk : chunks) {
            LeaseSnapshot s = (LeaseSnapshot) chunk;
            clock = Math.max(clock, s.clock());
            leases.putAll(s.leases());
            owners.putAll(s.owners());
        }
    }

    @Override
    public Object getNewTermOperation() {
        return new LeaseOp.NewTerm();
    }

    /** The owners as this member has applied them (may lag the leader). */
    synchronized Map<String, String> owners() {
        return Map.copyOf(owners);
    }

    /** Lease expiries as this member has applied them (may lag the leader). */
    synchronized Map<String, Long> leases() {
        return Map.copyOf(leases);
    }

    /** The table's clock: the highest proposer time applied. */
    synchronized long clock() {
        return clock;
    }

    /** The whole table, as a snapshot carries it. */
    record LeaseSnapshot(long clock, Map<String, Long> leases, Map<String, String> owners) {
    }
}
