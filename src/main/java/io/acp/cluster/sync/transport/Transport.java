package io.acp.cluster.sync.transport;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Moves raw datagrams between the nodes of one cluster; knows nothing about what they carry.
 * Kept this small so tests can wrap it in a fault layer (drop, duplicate, delay) the way JGroups'
 * DISCARD protocol or etcd's test proxy do. Sends never block and never throw: a datagram that
 * cannot be sent is a lost packet, and the protocol above repairs loss anyway.
 */
public interface Transport extends AutoCloseable {

    /**
     * Called on the transport's I/O thread for every datagram received; must not block. The
     * datagram is the first {@code length} bytes of {@code buffer}, which the transport reads the
     * next datagram into once this returns: a receiver that keeps the bytes copies them (one read
     * buffer per transport instead of a new array per datagram).
     */
    @FunctionalInterface
    interface Receiver {
        void onDatagram(byte[] buffer, int length, InetSocketAddress from);
    }

    /** Opens the sockets and starts delivering datagrams to {@code receiver}. */
    void start(Receiver receiver) throws IOException;

    /** Sends to every node of the cluster (the multicast group, or every configured peer). */
    void broadcast(byte[] datagram);

    /** Sends to one node, at the address its datagrams came from. */
    void unicast(InetSocketAddress to, byte[] datagram);

    /** The address other nodes see as the source of this node's datagrams (for unicast replies). */
    InetSocketAddress localAddress();

    /**
     * How long the I/O thread rests after a round of reads before it waits for the next datagram
     * (0: it waits at once). With a pause, the datagrams that arrive meanwhile queue in the socket's
     * buffer and are read in the next round: one wake-up of the thread for all of them instead of
     * one each, at the price of up to {@code nanos} more on their way. The sync sets it; a transport
     * without an I/O thread of its own ignores it.
     */
    default void pauseBetweenReads(long nanos) {
    }

    /** Datagrams sent, received and lost on send since start. */
    TransportCounters counters();

    @Override
    void close();
}
