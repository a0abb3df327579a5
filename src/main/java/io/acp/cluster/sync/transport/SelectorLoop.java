package io.acp.cluster.sync.transport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import org.jboss.logging.Logger;

/**
 * The one receiving thread of a transport: a selector over its non-blocking datagram channels that
 * reads every datagram into the receiver. Datagrams are sent on the caller's thread
 * ({@link #send}), which never blocks: when the socket buffer is full, the datagram is dropped and
 * counted.
 */
final class SelectorLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SelectorLoop.class);
    /** Largest UDP payload over IPv4; anything read is at most this. */
    private static final int MAX_UDP_PAYLOAD = 65_507;
    /**
     * Receive buffer asked of the kernel per socket (capped by net.core.rmem_max). The default
     * (~208 KiB, about 90 datagrams on loopback) overflows when the I/O thread is descheduled for a
     * few ms under a burst, e.g. an anti-entropy answer of 190 datagrams: the kernel then drops them
     * silently, and anti-entropy has to repair what was just sent.
     */
    static final int RECEIVE_BUFFER_BYTES = 4 << 20;

    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(MAX_UDP_PAYLOAD);
    /** What the receiver is handed, reused for every datagram (see {@link Transport.Receiver}). */
    private final byte[] received = new byte[MAX_UDP_PAYLOAD];
    private final TransportCounters counters;
    private final Transport.Receiver receiver;
    private final Thread thread;
    private volatile boolean running = true;
    private final java.util.function.Consumer<SelectionKey> onReady = this::ready;

    SelectorLoop(String threadName, TransportCounters counters, Transport.Receiver receiver, DatagramChannel... channels) throws IOException {
        this.selector = Selector.open();
        this.counters = counters;
        this.receiver = receiver;
        for (DatagramChannel c : channels) {
            c.configureBlocking(false);
            c.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER_BYTES);
            // sends are not queued in the JVM: the socket's own buffer absorbs a burst (an anti-entropy answer)
            c.setOption(StandardSocketOptions.SO_SNDBUF, RECEIVE_BUFFER_BYTES);
            c.register(selector, SelectionKey.OP_READ);
        }
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Sends on the caller's thread (the sync thread): the channel is non-blocking, so this never
     * waits, and a datagram leaves without a hand-over to the I/O thread and its wake-up (one
     * thread hop and one syscall fewer per datagram on the path of every delta). A full socket
     * buffer or an error is a lost datagram, counted.
     */
    void send(DatagramChannel channel, InetSocketAddress to, byte[] data) {
        if (!running) {
            lost(to, "transport closed");
            return;
        }
        try {
            if (channel.send(ByteBuffer.wrap(data), to) == 0) {
                lost(to, "socket buffer full");
            } else {
                counters.sent.incrementAndGet();
            }
        } catch (IOException | RuntimeException e) {
            // e.g. EPERM when a firewall drops our output, or the channel closed by stop: a lost packet, never a crash
            lost(to, e.toString());
        }
    }

    private void run() {
        try {
            while (running) {
                // the consumer form: no iterator over a selected-key set per wake-up
                selector.select(onReady, 100);
            }
        } catch (ClosedSelectorException e) {
            // closed while selecting: the transport is stopping
        } catch (IOException | RuntimeException e) {
            if (running) {
                LOG.errorf(e, "sync transport I/O loop %s failed; no more datagrams are sent or received", thread.getName());
            }
        }
    }

    private void ready(SelectionKey key) {
        if (key.isValid() && key.isReadable()) {
            readAll((DatagramChannel) key.channel());
        }
    }

    private void readAll(DatagramChannel channel) {
        while (true) {
            readBuffer.clear();
            SocketAddress from;
            try {
                from = channel.receive(readBuffer);
            } catch (IOException e) {
                // e.g. an ICMP error reported on the socket: one failed read, the socket goes on
                LOG.debugf("sync receive on %s failed: %s", thread.getName(), e);
                return;
            }
            if (from == null) {
                return;
            }
            readBuffer.flip();
            int length = readBuffer.remaining();
            readBuffer.get(received, 0, length);
            counters.received.incrementAndGet();
            try {
                receiver.onDatagram(received, length, (InetSocketAddress) from);
            } catch (RuntimeException e) {
                LOG.warnf(e, "sync receiver failed on a datagram from %s; datagram dropped", from);
            }
        }
    }

    private void lost(SocketAddress to, String why) {
        counters.sendFailed.incrementAndGet();
        LOG.debugf("sync datagram to %s lost on send: %s", to, why);
    }

    /** Closes sockets a transport opened (also those never handed to a loop, after a failed start). */
    static void closeQuietly(DatagramChannel... channels) {
        for (DatagramChannel c : channels) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException e) {
                    // nothing left to do with a socket we are discarding
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        selector.wakeup();
        try {
            thread.join(2000);
            selector.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            LOG.debugf("closing selector: %s", e);
        }
    }

}
