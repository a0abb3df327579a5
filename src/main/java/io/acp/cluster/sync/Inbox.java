package io.acp.cluster.sync;

import io.acp.cluster.sync.wire.DatagramOpener;
import io.acp.cluster.sync.wire.DropReason;
import io.acp.cluster.sync.wire.Opened;
import io.acp.cluster.sync.wire.Reassembler;
import io.acp.cluster.sync.wire.SyncCounters;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * The receive side, on the transport's I/O thread: authenticate, reassemble, then hand complete
 * messages to the sync thread through a bounded hand-over (beyond it, messages are dropped and
 * counted as overload; anti-entropy repairs them).
 */
final class Inbox {

    /** Received messages waiting for the sync thread. */
    static final int MAX_PENDING_MESSAGES = 10_000;

    private final DatagramOpener opener;
    private final Reassembler reassembler;
    private final SyncCounters counters;
    private final Executor syncThread;
    private final BiConsumer<Reassembler.Message, InetSocketAddress> handler;
    private final LongSupplier nanoTime;
    private final AtomicInteger pending = new AtomicInteger();

    Inbox(DatagramOpener opener, Reassembler reassembler, SyncCounters counters, Executor syncThread,
          BiConsumer<Reassembler.Message, InetSocketAddress> handler, LongSupplier nanoTime) {
        this.nanoTime = nanoTime; // the sync environment's clock, so a simulation times reassembly out in virtual time
        this.opener = opener;
        this.reassembler = reassembler;
        this.counters = counters;
        this.syncThread = syncThread;
        this.handler = handler;
    }

    /** Received messages handed to the sync thread and not yet handled: how far behind it is. */
    int backlog() {
        return pending.get();
    }

    void onDatagram(byte[] datagram, InetSocketAddress from) {
        Opened opened = opener.open(datagram);
        if (opened == null) {
            return;
        }
        Reassembler.Message m = reassembler.add(opened, nanoTime.getAsLong());
        if (m == null) {
            return;
        }
        if (pending.incrementAndGet() > MAX_PENDING_MESSAGES) {
            pending.decrementAndGet();
            counters.dropped(DropReason.OVERLOAD);
            return;
        }
        try {
            syncThread.execute(() -> {
                pending.decrementAndGet();
                handler.accept(m, from);
            });
        } catch (RejectedExecutionException stopping) {
            pending.decrementAndGet();
        }
    }
}
