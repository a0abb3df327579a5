package io.acp.cluster.sync;

import io.acp.cluster.Readiness;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides when a starting node holds the cluster's state ({@link Readiness}). It is
 * {@link Readiness#SYNCING} until, for every peer alive in its view, it has either announced the
 * same digest root as this node, or answered {@value #CLEAN_ROUNDS} of this node's pulls in a row
 * (an answer arrived: a lost one proves nothing) with nothing older than the pull that this node
 * lacked (entries written after the pull are only in flight, not missed). With
 * no peer heard once the discovery window is over, the node is alone and ready. Once ready it
 * stays ready: later divergence is anti-entropy's ordinary work.
 *
 * <p>Sync thread only.
 */
final class CatchUp {

    /**
     * Answers are UDP datagrams, and a burst of them can lose some on the way: the part that
     * arrived may hold nothing new while the lost part did. Several clean rounds in a row make
     * losing the same missing entry every time unlikely.
     */
    static final int CLEAN_ROUNDS = 3;

    private final long discoveryNanos;
    private final long roundNanos;
    private final long startedNanos;
    private final Map<String, PeerProgress> peers = new HashMap<>();
    private boolean ready;

    /** Per peer: when it was last pulled (clock reading and monotonic time), and whether that round brought old news. */
    private static final class PeerProgress {
        long pulledAtReading = Long.MIN_VALUE;
        long pulledAtNanos;
        boolean roundAnswered;
        boolean roundBroughtOldEntries;
        /** Clean rounds in a row before the current one. */
        int cleanRounds;
        boolean caughtUp;

        int cleanRoundsIncludingCurrent(long nowNanos, long roundNanos) {
            return cleanRounds + (cleanRoundOver(nowNanos, roundNanos) ? 1 : 0);
        }

        /** The last pull's round is over, was answered (not lost), and brought nothing old. */
        boolean cleanRoundOver(long nowNanos, long roundNanos) {
            return pulledAtReading != Long.MIN_VALUE && roundAnswered && !roundBroughtOldEntries && nowNanos - pulledAtNanos >= roundNanos;
        }
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
        p.cleanRounds = p.cleanRoundOver(nowNanos, roundNanos) ? p.cleanRounds + 1 : 0;
        if (p.cleanRounds >= CLEAN_ROUNDS) {
            p.caughtUp = true; // the last rounds are over and brought nothing this node had missed
        }
        p.pulledAtReading = reading;
        p.pulledAtNanos = nowNanos;
        p.roundAnswered = false;
        p.roundBroughtOldEntries = false;
    }

    /** An answer (ENTRIES) from the peer arrived: the round was not lost. */
    void answered(String peer) {
        progress(peer).roundAnswered = true;
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
            if (!p.caughtUp && p.cleanRoundsIncludingCurrent(nowNanos, roundNanos) < CLEAN_ROUNDS) {
                return false;
            }
        }
        ready = true;
        return true;
    }

    /** Why this node is (or is not yet) ready, per peer: for the log line when it becomes ready. */
    String describe(Collection<String> alivePeers, long nowNanos) {
        StringBuilder sb = new StringBuilder(alivePeers.isEmpty() ? "no peer heard" : "");
        for (String peer : alivePeers) {
            PeerProgress p = progress(peer);
            sb.append(sb.length() == 0 ? "" : ", ").append(peer).append(p.caughtUp ? ": caught up"
                    : ": " + p.cleanRoundsIncludingCurrent(nowNanos, roundNanos) + " answers in a row held nothing missed");
        }
        return sb.toString();
    }

    private PeerProgress progress(String peer) {
        return peers.computeIfAbsent(peer, k -> new PeerProgress());
    }
}
