package io.acp.cluster.service;

/**
 * The last wall-clock moment at which every live peer announced this node's digest root: all of
 * them then held everything this node held, tombstones included. A tombstone written before it has
 * been seen by every live member and may be collected. Unlike "the digests agree now", the horizon
 * survives the first node's collection (after which the digests differ until the others collect too).
 */
final class AgreementHorizon {

    private volatile long agreedAtMillis = Long.MIN_VALUE;

    /** Called periodically with whether every live peer agrees now. */
    void observe(boolean everyLivePeerAgrees, long nowMillis) {
        if (everyLivePeerAgrees) {
            agreedAtMillis = nowMillis;
        }
    }

    /** Long.MIN_VALUE until the first agreement. */
    long agreedAtMillis() {
        return agreedAtMillis;
    }
}
