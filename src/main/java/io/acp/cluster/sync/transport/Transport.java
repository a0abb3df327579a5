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

    /** Datagrams sent, received and lost on send since start. */
    TransportCounters counters();

    @Override
    void close();
}
