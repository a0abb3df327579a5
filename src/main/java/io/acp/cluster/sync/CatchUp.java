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
 * lacked (entries written after the pull are only in flight, not missed), nor anything it lacked
 * but could not verify yet (sealed under a key it has not learned: such an answer proves the peer
 * holds more, not that this node has it all). With no peer heard once the discovery window is over,
 * the node is alone and ready; but a peer heard whose heartbeats this node cannot verify yet (it
 * does not know the peer's certificate: e.g. this node is back on an empty disk) is waited for, up
 * to {@code unverifiedWaitNanos} after the window, as it is probably a peer holding the state. Once
 * ready it stays ready: later divergence is anti-entropy's ordinary work.
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
    private final long unverifiedWaitNanos;
    private final Map<String, PeerProgress> peers = new HashMap<>();
    /** Peers heard whose heartbeats could not be verified yet (unknown key): waited for, bounded. */
    private final java.util.Set<String> unverified = new java.util.TreeSet<>();
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
     * @param discoveryNanos      how long to listen for peers before concluding there are none
     * @param roundNanos          how long after a pull its answer counts as complete (one anti-entropy interval)
     * @param unverifiedWaitNanos how long after the discovery window a peer heard but not yet verified is waited for
     */
    CatchUp(long discoveryNanos, long roundNanos, long startedNanos, long unverifiedWaitNanos) {
        this.discoveryNanos = discoveryNanos;
        this.roundNanos = roundNanos;
        this.startedNanos = startedNanos;
        this.unverifiedWaitNanos = unverifiedWaitNanos;
    }

    /**
     * Peers heard but not verified that are remembered at most. A heartbeat under a name nobody
     * certified is what any holder of the secret can send, under as many names as it likes; the
     * wait for such peers is bounded in time anyway.
     */
    static final int MAX_UNVERIFIED = 256;

    /** A heartbeat of {@code peer} arrived that this node could not verify yet: it lacks the peer's certificate. */
    void heardUnverified(String peer) {
        if (unverified.size() < MAX_UNVERIFIED) {
            unverified.add(peer);
        }
    }

    /** Peers heard but not verified, as remembered (tests). */
    int unverifiedCount() {
        return unverified.size();
    }

    /**
     * An answer from the peer held an entry this node lacks but could not verify yet (its author's
     * key is unknown here): the round brought something missed, so it is not clean. Only within the
     * wait for unverified peers: an entry whose author's certificate never reaches this node must not
     * keep it syncing for good.
     */
    void couldNotVerify(String peer, long nowNanos) {
        if (nowNanos - startedNanos < discoveryNanos + unverifiedWaitNanos) {
            progress(peer).roundBroughtOldEntries = true;
        }
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

    /**
     * Whether the current round with {@code peer} already brought something this node had missed:
     * it cannot count as clean any more, so pulling again before the round is over costs no
     * readiness evidence, and speeds up a node that lacks much (an empty disk).
     */
    boolean roundBroughtMissed(String peer) {
        PeerProgress p = peers.get(peer);
        return p != null && p.roundBroughtOldEntries;
    }

    /** Evaluates readiness against the peers alive now; true once ready (and from then on). */
    boolean ready(Collection<String> alivePeers, long nowNanos) {
        if (ready) {
            return true;
        }
        if (nowNanos - startedNanos < discoveryNanos) {
            return false;
        }
        boolean waitingForUnverified = nowNanos - startedNanos < discoveryNanos + unverifiedWaitNanos;
        for (String peer : unverified) {
            if (waitingForUnverified && !alivePeers.contains(peer)) {
                return false;
            }
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
        StringBuilder sb = new StringBuilder(alivePeers.isEmpty() ? (unverified.isEmpty() ? "no peer heard"
                : "no peer verified; gave up waiting for " + unverified + ", heard but never verified") : "");
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
