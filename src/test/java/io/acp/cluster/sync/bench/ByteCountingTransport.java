package io.acp.cluster.sync.bench;

import io.acp.cluster.sync.transport.Transport;
import io.acp.cluster.sync.transport.TransportCounters;
import io.acp.cluster.sync.wire.DatagramHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the UDP payload bytes a node hands to its transport and receives from it, on the calling
 * thread (no extra hop). Its own multicast looped back by the kernel is counted apart, since on a
 * real network a node's NIC does not receive its own group traffic.
 */
final class ByteCountingTransport implements Transport {

    private final Transport delegate;
    /** The sender field of this node's own datagrams (node ids are ASCII). */
    private final byte[] ownId;
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong bytesReceived = new AtomicLong();
    final AtomicLong ownBytesLoopedBack = new AtomicLong();
    /** While set, nothing is sent or received: the node is cut off from the others (a partition of one). */
    volatile boolean cut;

    ByteCountingTransport(Transport delegate, String node) {
        this.delegate = delegate;
        this.ownId = node.getBytes(StandardCharsets.US_ASCII);
    }

    /** The receiver the node started this transport with (a benchmark may hand it datagrams itself), or null before. */
    volatile Receiver nodeReceiver;

    @Override
    public void start(Receiver receiver) throws IOException {
        nodeReceiver = receiver;
        delegate.start((d, length, from) -> {
            if (cut) {
                return;
            }
            // in place: this runs on the I/O thread whose CPU the benchmarks report, which a real node does not spend on it
            if (DatagramHeader.sentBy(d, length, ownId)) {
                ownBytesLoopedBack.addAndGet(length);
            } else {
                bytesReceived.addAndGet(length);
            }
            receiver.onDatagram(d, length, from);
        });
    }

    @Override
    public void broadcast(byte[] datagram) {
        if (cut) {
            return;
        }
        bytesSent.addAndGet(datagram.length);
        delegate.broadcast(datagram);
    }

    @Override
    public void unicast(InetSocketAddress to, byte[] datagram) {
        if (cut) {
            return;
        }
        bytesSent.addAndGet(datagram.length);
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
    }
}
