package io.acp.cluster.sync.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The unicast fallback for networks that block multicast (IGMP snooping without a querier, most
 * clouds): one UDP socket on a configured address, and "broadcast" is one datagram to every
 * configured peer. Same datagrams, same security, same protocol as {@link MulticastTransport}.
 */
public final class PeerListTransport implements Transport {

    private final InetSocketAddress bind;
    private final List<InetSocketAddress> peers;
    private final TransportCounters counters = new TransportCounters();
    private DatagramChannel channel;
    private SelectorLoop loop;

    /**
     * @param bind  {@code host:port} this node listens and sends on
     * @param peers {@code host:port} of the other nodes; this node's own address may be listed and is skipped
     */
    public PeerListTransport(String bind, List<String> peers) {
        this.bind = parse(bind);
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("unicast sync needs at least one peer in acp.cluster.sync.peers");
        }
        List<InetSocketAddress> others = new ArrayList<>();
        for (String p : peers) {
            InetSocketAddress a = parse(p);
            if (!a.equals(this.bind)) {
                others.add(a);
            }
        }
        this.peers = List.copyOf(others);
    }

    /** Parses {@code host:port}; throws naming the bad value. */
    public static InetSocketAddress parse(String hostPort) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("sync address '" + hostPort + "' is not host:port");
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sync address '" + hostPort + "' has no numeric port");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("sync address '" + hostPort + "' has port out of range 1..65535");
        }
        InetSocketAddress a = new InetSocketAddress(hostPort.substring(0, colon), port);
        if (a.isUnresolved()) {
            throw new IllegalArgumentException("sync address '" + hostPort + "': host does not resolve");
        }
        return a;
    }

    @Override
    public void start(Receiver receiver) throws IOException {
        channel = DatagramChannel.open(StandardProtocolFamily.INET);
        channel.bind(bind);
        loop = new SelectorLoop("acp-sync-io-" + bind.getPort(), counters, receiver, channel);
    }

    @Override
    public void broadcast(byte[] datagram) {
        for (InetSocketAddress p : peers) {
            loop.send(channel, p, datagram);
        }
    }

    @Override
    public void unicast(InetSocketAddress to, byte[] datagram) {
        loop.send(channel, to, datagram);
    }

    @Override
    public InetSocketAddress localAddress() {
        return bind;
    }

    @Override
    public TransportCounters counters() {
        return counters;
    }

    @Override
    public void close() {
        if (loop != null) {
            loop.close();
        }
        SelectorLoop.closeQuietly(channel);
    }
}
