package io.acp.cluster.sync.transport;

import java.util.concurrent.atomic.AtomicLong;

/** Datagram counts of one transport; read at any time from any thread. */
public final class TransportCounters {

    final AtomicLong sent = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong sendFailed = new AtomicLong();

    public long sent() {
        return sent.get();
    }

    public long received() {
        return received.get();
    }

    /** Datagrams dropped on the way out: socket error, full socket buffer or a closed transport. */
    public long sendFailed() {
        return sendFailed.get();
    }
}
