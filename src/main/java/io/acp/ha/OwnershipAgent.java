package io.acp.ha;

import java.util.function.LongSupplier;

/**
 * This node's ownership loop, one {@link #tick} at a time on the Raft executor: renew the lease
 * every {@code renewMillis}, then let {@link Fencing} make the running HA systems match it. A
 * renewal that fails (no leader, no majority) just does not extend the deadline; the lease then
 * runs out on its own and fencing stops the systems.
 */
final class OwnershipAgent {

    private final OwnershipGroup group;
    private final LeaseHolder holder;
    private final Fencing fencing;
    private final LongSupplier clock;
    private final long leaseMillis;
    private final long renewMillis;
    private long nextRenew = Long.MIN_VALUE;

    OwnershipAgent(OwnershipGroup group, LeaseHolder holder, Fencing fencing, LongSupplier clock, long leaseMillis, long renewMillis) {
        if (renewMillis <= 0 || renewMillis * 2 > leaseMillis) {
            throw new IllegalArgumentException("lease renewal every " + renewMillis + " ms must be positive and at most half the lease (" + leaseMillis + " ms)");
        }
        this.group = group;
        this.holder = holder;
        this.fencing = fencing;
        this.clock = clock;
        this.leaseMillis = leaseMillis;
        this.renewMillis = renewMillis;
    }

    Fencing.Pass tick() {
        long now = clock.getAsLong();
        if (now >= nextRenew) {
            nextRenew = now + renewMillis;
            renew(now);
        }
        return fencing.tick(now);
    }

    private void renew(long sentAt) {
        group.propose(new LeaseOp.Renew(holder.node(), sentAt, leaseMillis))
                .thenAccept(c -> holder.granted(sentAt, leaseMillis, c.commitIndex(), (LeaseResult.Granted) c.result()));
    }

    LeaseHolder holder() {
        return holder;
    }
}
