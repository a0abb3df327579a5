package io.acp.cluster.sync;

import io.acp.cluster.Readiness;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides when a starting node holds the cluster's state ({@link Readiness}). It is
 * {@link Readiness#SYNCING} until, for every peer alive in its view, it has either announced the
 * same digest root as this node, or answered one of this node's pulls with nothing older than the
 * pull that this node lacked (entries written after the pull are only in flight, not missed). With
 * no peer heard once the discovery window is over, the node is alone and ready. Once ready it
 * stays ready: later divergence is anti-entropy's ordinary work.
 *
 * <p>Sync thread only.
 */
final class CatchUp {

    private final long discoveryNanos;
    private final long roundNanos;
    private final long startedNanos;
    private final Map<String, PeerProgress> peers = new HashMap<>();
    private boolean ready;

    /** Per peer: when it was last pulled (clock reading and monotonic time), and whether that round brought old news. */
    private static final class PeerProgress {
        long pulledAtReading = Long.MIN_VALUE;
        long pulledAtNanos;
        boolean roundBroughtOldEntries;
        boolean caughtUp;
    }

    /**
     * @param discoveryNanos how long to listen for peers before concluding there are none
     * @param roundNanos     how long after a pull its answer counts as complete (one anti-entropy interval)
     */
    CatchUp(long discoveryNanos, long roundNanos, long startedNanos) {
        this.discoveryNanos = discoveryNanos;
        this.roundNanos = roundNanos;
        this.startedNanos = startedNanos;
    }

    /** A peer announced a root equal to ours: nothing to pull from it. */
    void sameRoot(String peer) {
        progress(peer).caughtUp = true;
    }

    /** This node sent a PULL to the peer at the given clock reading. */
    void pulled(String peer, long reading, long nowNanos) {
        PeerProgress p = progress(peer);
        if (p.pulledAtReading != Long.MIN_VALUE && !p.roundBroughtOldEntries && nowNanos - p.pulledAtNanos >= roundNanos) {
            p.caughtUp = true; // the previous round is over and brought nothing this node had missed
        }
        p.pulledAtReading = reading;
        p.pulledAtNanos = nowNanos;
        p.roundBroughtOldEntries = false;
    }

    /** An answer from the peer held an entry this node took; {@code entryTime} is its clock reading. */
    void took(String peer, long entryTime) {
        PeerProgress p = progress(peer);
        if (entryTime < p.pulledAtReading) {
            p.roundBroughtOldEntries = true;
        }
    }

    /** Evaluates readiness against the peers alive now; true once ready (and from then on). */
    boolean ready(Collection<String> alivePeers, long nowNanos) {
        if (ready) {
            return true;
        }
        if (nowNanos - startedNanos < discoveryNanos) {
            return false;
        }
        for (String peer : alivePeers) {
            PeerProgress p = progress(peer);
            boolean roundOver = p.pulledAtReading != Long.MIN_VALUE && !p.roundBroughtOldEntries && nowNanos - p.pulledAtNanos >= roundNanos;
            if (!p.caughtUp && !roundOver) {
                return false;
            }
        }
        ready = true;
        return true;
    }

    private PeerProgress progress(String peer) {
        return peers.computeIfAbsent(peer, k -> new PeerProgress());
    }
}
