package io.acp.ha;

/**
 * The timeline of ownership (docs/operations.md, "HA timeline"), in milliseconds.
 *
 * @param leaseMillis     how long a committed renewal keeps a node's lease
 * @param renewMillis     how often a node renews (at most half the lease, so one lost renewal is harmless)
 * @param tickMillis      how often fencing and failover look
 * @param stopMillis      the longest a destroy of a system may take
 * @param marginMillis    added on top of the fencing bound, for clock skew between nodes
 * @param proposeMillis   how long a proposal waits for the leader's answer
 */
record OwnershipTimes(long leaseMillis, long renewMillis, long tickMillis, long stopMillis, long marginMillis, long proposeMillis) {

    OwnershipTimes {
        if (renewMillis <= 0 || 2 * renewMillis > leaseMillis) {
            throw new IllegalArgumentException("acp.ha: renew-interval (" + renewMillis + " ms) must be positive and at most half of lease ("
                    + leaseMillis + " ms)");
        }
        if (tickMillis <= 0 || stopMillis <= 0 || marginMillis <= 0 || proposeMillis <= 0) {
            throw new IllegalArgumentException("acp.ha: tick, stop-timeout, margin and propose-timeout must be positive");
        }
    }

    /** From a node's lease expiry until its HA systems are certainly gone: one tick to notice, one destroy. */
    long fencingBoundMillis() {
        return tickMillis + stopMillis;
    }

    /** How long after a node's lease expired its systems may move: the fencing bound plus the margin. */
    long takeoverDelayMillis() {
        return fencingBoundMillis() + marginMillis;
    }
}
