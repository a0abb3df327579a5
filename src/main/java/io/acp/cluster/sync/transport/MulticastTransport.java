package io.acp.cluster.sync.transport;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.Collections;

/**
 * UDP multicast on one pinned interface, with the JDK's NIO datagram channels (Vert.x datagram
 * sockets on the native epoll transport ignore the multicast interface and TTL, as
 * tried on these kernels). Two sockets: one bound to the group port that only receives the group's
 * datagrams, and one on an ephemeral port of the interface's address that sends everything and
 * receives unicast replies, so a node's source address is also where it can be reached.
 */
public final class MulticastTransport implements Transport {

    private final InetAddress group;
    private final int port;
    private final NetworkInterface nic;
    private final int ttl;
    private final TransportCounters counters = new TransportCounters();
    private DatagramChannel groupChannel;
    private DatagramChannel sendChannel;
    private InetSocketAddress groupAddress;
    private SelectorLoop loop;

    /**
     * @param interfaceName the interface multicast leaves and joins on, e.g. {@code eth1} or {@code lo};
     *                      always pinned so datagrams never follow the routing table somewhere else
     */
    public MulticastTransport(String group, int port, String interfaceName, int ttl) throws IOException {
        this.group = InetAddress.getByName(group);
        if (!(this.group instanceof Inet4Address) || !this.group.isMulticastAddress()) {
            throw new IllegalArgumentException("sync group '" + group + "' is not an IPv4 multicast address (use 239.0.0.0/8)");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("sync port " + port + " is out of range 1..65535");
        }
        if (ttl < 1 || ttl > 255) {
            throw new IllegalArgumentException("sync multicast TTL " + ttl + " is out of range 1..255");
        }
        this.port = port;
        this.ttl = ttl;
        this.nic = NetworkInterface.getByName(interfaceName);
        if (nic == null) {
            throw new IllegalArgumentException("sync interface '" + interfaceName + "' does not exist on this host");
        }
    }

    @Override
    public void start(Receiver receiver) throws IOException {
        InetAddress local = Collections.list(nic.getInetAddresses()).stream()
                .filter(a -> a instanceof Inet4Address)
                .findFirst()
                .orElseThrow(() -> new IOException("sync interface " + nic.getName() + " has no IPv4 address"));
        groupAddress = new InetSocketAddress(group, port);
        groupChannel = DatagramChannel.open(StandardProtocolFamily.INET);
        groupChannel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        // bound to the group address, so only the group's datagrams arrive here (Linux semantics)
        groupChannel.bind(groupAddress);
        groupChannel.join(group, nic);
        sendChannel = DatagramChannel.open(StandardProtocolFamily.INET);
        sendChannel.bind(new InetSocketAddress(local, 0));
        sendChannel.setOption(StandardSocketOptions.IP_MULTICAST_IF, nic);
        sendChannel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
        // other nodes on this same host (tests, or several nodes on one machine) must hear us
        sendChannel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        loop = new SelectorLoop("acp-sync-io-" + port, counters, receiver, groupChannel, sendChannel);
    }

    @Override
    public void broadcast(byte[] datagram) {
        loop.send(sendChannel, groupAddress, datagram);
    }

    @Override
    public void unicast(InetSocketAddress to, byte[] datagram) {
        loop.send(sendChannel, to, datagram);
    }

    @Override
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) sendChannel.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("sync transport is closed", e);
        }
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
        SelectorLoop.closeQuietly(groupChannel, sendChannel);
    }
}
