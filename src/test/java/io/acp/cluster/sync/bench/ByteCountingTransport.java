package io.acp.cluster.sync.bench;

import io.acp.cluster.sync.transport.Transport;
import io.acp.cluster.sync.transport.TransportCounters;
import io.acp.cluster.sync.wire.DatagramHeader;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the UDP payload bytes a node hands to its transport and receives from it, on the calling
 * thread (no extra hop). Its own multicast looped back by the kernel is counted apart, since on a
 * real network a node's NIC does not receive its own group traffic.
 */
final class ByteCountingTransport implements Transport {

    private final Transport delegate;
    private final String node;
    final AtomicLong bytesSent = new AtomicLong();
    final AtomicLong bytesReceived = new AtomicLong();
    final AtomicLong ownBytesLoopedBack = new AtomicLong();

    ByteCountingTransport(Transport delegate, String node) {
        this.delegate = delegate;
        this.node = node;
    }

    /** The receiver the node started this transport with (a benchmark may hand it datagrams itself), or null before. */
    volatile Receiver nodeReceiver;

    @Override
    public void start(Receiver receiver) throws IOException {
        nodeReceiver = receiver;
        delegate.start((d, length, from) -> {
            if (isOwn(d)) {
                ownBytesLoopedBack.addAndGet(length);
            } else {
                bytesReceived.addAndGet(length);
            }
            receiver.onDatagram(d, length, from);
        });
    }

    private boolean isOwn(byte[] d) {
        try {
            return d.length >= DatagramHeader.FIXED_LENGTH && DatagramHeader.read(d).sender().equals(node);
        } catch (RuntimeException notOurs) {
            return false;
        }
    }

    @Override
    public void broadcast(byte[] datagram) {
        bytesSent.addAndGet(datagram.length);
        delegate.broadcast(datagram);
    }

    @Override
    public void unicast(InetSocketAddress to, byte[] datagram) {
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
