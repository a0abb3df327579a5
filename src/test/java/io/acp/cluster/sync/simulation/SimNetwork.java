package io.acp.cluster.sync.simulation;

import io.acp.cluster.sync.transport.Transport;
import io.acp.cluster.sync.transport.TransportCounters;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * An in-memory L2 segment for a simulation: datagrams are delivered through the {@link SimWorld}
 * after a seeded delay, lost with a seeded probability, and never cross a partition. Node i sits
 * at 10.0.0.i:7000; a node's transport is replaced on restart, its address stays.
 */
final class SimNetwork {

    private final SimWorld world;
    private final Random random;
    private final Map<String, SimTransport> open = new TreeMap<>();
    private int lossPercent;
    private int maxDelayMillis = 5;
    private Set<String> side = Set.of();

    SimNetwork(SimWorld world, Random random) {
        this.world = world;
        this.random = random;
    }

    static InetSocketAddress address(int oneBased) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) oneBased}), 7000);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    synchronized void loss(int percent) {
        lossPercent = percent;
    }

    /** Nodes in {@code oneSide} hear nothing from the others and the others nothing from them; empty heals. */
    synchronized void partition(Set<String> oneSide) {
        side = Set.copyOf(oneSide);
    }

    synchronized Transport open(String node, InetSocketAddress at) {
        SimTransport t = new SimTransport(node, at);
        open.put(node, t);
        return t;
    }

    private synchronized void send(SimTransport from, byte[] datagram, InetSocketAddress to) {
        for (SimTransport target : open.values()) {
            if (target == from || (to != null && !target.at.equals(to))) {
                continue;
            }
            if (side.contains(from.node) != side.contains(target.node)) {
                world.trace().record("cut " + from.node + ">" + target.node + " @" + world.nanoTime());
                continue;
            }
            if (random.nextInt(100) < lossPercent) {
                world.trace().record("lost " + from.node + ">" + target.node + " @" + world.nanoTime());
                continue;
            }
            long delay = TimeUnit.MICROSECONDS.toNanos(random.nextInt(maxDelayMillis * 1000 + 1));
            byte[] copy = datagram.clone();
            world.schedule(null, delay, false, () -> target.deliver(copy, from));
        }
    }

    private final class SimTransport implements Transport {
        final String node;
        final InetSocketAddress at;
        final TransportCounters counters = new TransportCounters(); // counts stay zero: the simulation traces instead
        private volatile Receiver receiver;
        private volatile boolean closed;

        SimTransport(String node, InetSocketAddress at) {
            this.node = node;
            this.at = at;
        }

        void deliver(byte[] d, SimTransport from) {
            Receiver r = receiver;
            if (closed || r == null) {
                return;
            }
            world.trace().record("deliver " + from.node + ">" + node + " @" + world.nanoTime() + " " + d.length + "B", d);
            r.onDatagram(d, d.length, from.at);
        }

        @Override
        public void start(Receiver r) {
            receiver = r;
        }

        @Override
        public void broadcast(byte[] datagram) {
            if (!closed) {
                send(this, datagram, null);
            }
        }

        @Override
        public void unicast(InetSocketAddress to, byte[] datagram) {
            if (!closed) {
                send(this, datagram, to);
            }
        }

        @Override
        public InetSocketAddress localAddress() {
            return at;
        }

        @Override
        public TransportCounters counters() {
            return counters;
        }

        @Override
        public void close() {
            closed = true;
            synchronized (SimNetwork.this) {
                open.remove(node, this);
            }
        }
    }
}
