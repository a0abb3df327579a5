package io.acp.cluster.sync.membership;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * This node's view of its peers, driven by what it hears (any authenticated datagram counts) and
 * by the passing of time; see {@link PeerState} for the transitions. The clock is injected so the
 * state machine is tested without waiting. Updated by one thread, read by any.
 */
public final class Membership {

    private final long suspectAfterMillis;
    private final long deadAfterMillis;
    private final LongSupplier clockMillis;
    private final Map<String, Peer> peers = new ConcurrentHashMap<>();

    public Membership(Duration suspectAfter, Duration deadAfter, LongSupplier clockMillis) {
        if (deadAfter.compareTo(suspectAfter) <= 0) {
            throw new IllegalArgumentException("sync dead-after (" + deadAfter + ") must be longer than suspect-after (" + suspectAfter + ")");
        }
        this.suspectAfterMillis = suspectAfter.toMillis();
        this.deadAfterMillis = deadAfter.toMillis();
        this.clockMillis = clockMillis;
    }

    /**
     * Records a datagram from {@code node}; returns the peer if its state, epoch or address changed
     * (a change worth publishing), else empty. A datagram of an older epoch never gets here (the
     * opener drops it as stale).
     */
    public Optional<Peer> heard(String node, long epoch, InetSocketAddress address) {
        long now = clockMillis.getAsLong();
        Peer old = peers.get(node);
        Peer neu = new Peer(node, PeerState.ALIVE, Math.max(epoch, old == null ? 0 : old.epoch()), now, address);
        peers.put(node, neu);
        boolean changed = old == null || old.state() != PeerState.ALIVE || old.epoch() != neu.epoch() || !old.address().equals(address);
        return changed ? Optional.of(neu) : Optional.empty();
    }

    /** Moves silent peers to SUSPECT and DEAD; returns the peers that changed state. */
    public List<Peer> tick() {
        long now = clockMillis.getAsLong();
        List<Peer> changed = new ArrayList<>();
        for (Peer p : peers.values()) {
            long silent = now - p.lastHeardMillis();
            PeerState next = silent >= deadAfterMillis ? PeerState.DEAD : silent >= suspectAfterMillis ? PeerState.SUSPECT : PeerState.ALIVE;
            if (next != p.state() && next.ordinal() > p.state().ordinal()) {
                Peer moved = p.withState(next);
                peers.put(p.node(), moved);
                changed.add(moved);
            }
        }
        return changed;
    }

    /** Whether a heartbeat of {@code node} was ever heard (it stays known when dead); no {@link Optional} per call (asked once per tagged delta). */
    public boolean knows(String node) {
        return peers.containsKey(node);
    }

    public Optional<Peer> peer(String node) {
        return Optional.ofNullable(peers.get(node));
    }

    /** Every peer ever heard, sorted by node id; dead peers stay (their meta and stats are kept, but for those held without their seal: ClusterSync). */
    public List<Peer> view() {
        List<Peer> out = new ArrayList<>(peers.values());
        out.sort(Comparator.comparing(Peer::node));
        return out;
    }
}
