package io.acp.cluster.sync.membership;

import java.net.InetSocketAddress;

/**
 * One peer as this node sees it.
 *
 * @param epoch          the peer's current run (bumped at each of its starts)
 * @param lastHeardMillis wall-clock time of its last authenticated datagram
 * @param address        where its datagrams come from, and where unicast to it goes
 */
public record Peer(String node, PeerState state, long epoch, long lastHeardMillis, InetSocketAddress address) {

    Peer withState(PeerState s) {
        return new Peer(node, s, epoch, lastHeardMillis, address);
    }
}
