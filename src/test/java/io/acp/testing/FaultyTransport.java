package io.acp.testing;

import io.acp.cluster.sync.transport.Transport;
import io.acp.cluster.sync.wire.DatagramHeader;
import io.acp.cluster.sync.transport.TransportCounters;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A seeded fault layer on the receive side of a real transport, like JGroups' DISCARD/DELAY
 * protocols: drops, duplicates and delays (hence reorders) incoming datagrams by a plan that a test
 * changes while the cluster runs. With no fault planned (and none still queued) a datagram is
 * handed on at once on the transport's own receive thread, so the layer costs a benchmark no thread
 * hop; otherwise it is delivered on this layer's one thread. Either way the node sees one receive
 * thread at a time. It can also record what arrives, so tests can replay real datagrams.
 */
public final class FaultyTransport implements Transport {

    /** Percentages 0..100 of incoming datagrams to drop, duplicate, and delay by up to {@code maxDelayMillis}. */
    public record FaultPlan(int dropPercent, int duplicatePercent, int delayPercent, int maxDelayMillis) {
        public static final FaultPlan NONE = new FaultPlan(0, 0, 0, 0);

        public static FaultPlan loss(int percent) {
            return new FaultPlan(percent, 0, 0, 0);
        }
    }

    private final Transport delegate;
    private final Random random;
    private final ScheduledExecutorService delivery;
    private final List<byte[]> captured = new CopyOnWriteArrayList<>();
    private final AtomicLong dropped = new AtomicLong();
    /** Datagrams handed to the delivery thread and not yet delivered: while any are, none goes direct. */
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private volatile FaultPlan plan = FaultPlan.NONE;
    private volatile boolean capturing;
    private volatile Set<String> blockedSenders = Set.of();
    private volatile Set<io.acp.cluster.sync.wire.MessageType> droppedTypes = Set.of();

    public FaultyTransport(Transport delegate, long seed) {
        this.delegate = delegate;
        this.random = new Random(seed);
        this.delivery = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-fault-layer");
            t.setDaemon(true);
            return t;
        });
    }

    public void plan(FaultPlan p) {
        plan = p;
    }

    /** Drops everything from these nodes (by the sender in the clear header): one side of a partition. */
    public void blockFrom(Set<String> senders) {
        blockedSenders = Set.copyOf(senders);
    }

    /**
     * Drops every datagram of these message types (by the type in the clear header), e.g. a node
     * that gets an author's tagged deltas but never the seals that follow them.
     */
    public void dropTypes(Set<io.acp.cluster.sync.wire.MessageType> types) {
        droppedTypes = Set.copyOf(types);
    }

    private boolean blocked(byte[] d) {
        Set<String> blocked = blockedSenders;
        Set<io.acp.cluster.sync.wire.MessageType> types = droppedTypes;
        if ((blocked.isEmpty() && types.isEmpty()) || d.length < DatagramHeader.FIXED_LENGTH) {
            return false;
        }
        try {
            DatagramHeader h = DatagramHeader.read(d);
            return blocked.contains(h.sender()) || types.contains(h.type());
        } catch (RuntimeException notOurs) {
            return false;
        }
    }

    /** Starts recording every datagram that arrives (before faults are applied). */
    public void capture() {
        capturing = true;
    }

    public List<byte[]> captured() {
        return List.copyOf(captured);
    }

    public long dropped() {
        return dropped.get();
    }

    @Override
    public void start(Receiver receiver) throws IOException {
        delegate.start((buffer, length, from) -> {
            FaultPlan p = plan;
            // only this thread queues, so once nothing is queued no other delivery can be running
            if (!capturing && blockedSenders.isEmpty() && droppedTypes.isEmpty() && p.equals(FaultPlan.NONE) && queued.get() == 0) {
                receiver.onDatagram(buffer, length, from);
                return;
            }
            byte[] d = java.util.Arrays.copyOf(buffer, length); // the transport reuses its buffer; this one may wait or be kept
            if (capturing) {
                captured.add(d.clone());
            }
            if (blocked(d)) {
                dropped.incrementAndGet();
                return;
            }
            if (p.equals(FaultPlan.NONE) && queued.get() == 0) {
                receiver.onDatagram(d, d.length, from);
                return;
            }
            int dropRoll;
            int dupRoll;
            int delayRoll;
            int delay;
            synchronized (random) {
                dropRoll = random.nextInt(100);
                dupRoll = random.nextInt(100);
                delayRoll = random.nextInt(100);
                delay = p.maxDelayMillis() > 0 ? random.nextInt(p.maxDelayMillis() + 1) : 0;
            }
            if (dropRoll < p.dropPercent()) {
                dropped.incrementAndGet();
                return;
            }
            int copies = dupRoll < p.duplicatePercent() ? 2 : 1;
            for (int i = 0; i < copies; i++) {
                long after = delayRoll < p.delayPercent() ? delay : 0;
                queued.incrementAndGet();
                try {
                    delivery.schedule(() -> {
                        try {
                            receiver.onDatagram(d, d.length, from);
                        } finally {
                            queued.decrementAndGet();
                        }
                    }, after, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    queued.decrementAndGet();
                    return; // closing
                }
            }
        });
    }

    @Override
    public void broadcast(byte[] datagram) {
        delegate.broadcast(datagram);
    }

    @Override
    public void unicast(InetSocketAddress to, byte[] datagram) {
        delegate.unicast(to, datagram);
    }

    @Override
    public InetSocketAddress localAddress() {
        return delegate.localAddress();
    }

    @Override
    public TransportCounters counters() {
        return delegate.counters();
    }

    @Override
    public void close() {
        delegate.close();
        delivery.shutdownNow();
    }
}
