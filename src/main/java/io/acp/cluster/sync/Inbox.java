package io.acp.cluster.sync;

import io.acp.cluster.sync.wire.DatagramOpener;
import io.acp.cluster.sync.wire.DropReason;
import io.acp.cluster.sync.wire.Opened;
import io.acp.cluster.sync.wire.Reassembler;
import io.acp.cluster.sync.wire.SyncCounters;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;

/**
 * The receive side, on the transport's I/O thread: authenticate, reassemble, then hand complete
 * messages to the sync thread through a bounded hand-over (beyond it, messages are dropped and
 * counted as overload; anti-entropy repairs them). The hand-over is a mailbox: messages queue here
 * and one task on the sync thread takes up to {@link #BATCH} of them, so a burst costs one task
 * and one wake-up, not one per message (the sync thread's executor keeps its timers in a heap
 * whose lock and sift each task paid); the batch is bounded so heartbeats and flushes planned on
 * the same thread are not held behind a long backlog.
 */
final class Inbox {

    /** Received messages waiting for the sync thread. */
    static final int MAX_PENDING_MESSAGES = 10_000;
    /** Most messages one task of the sync thread handles before it lets other tasks run. */
    static final int BATCH = 64;

    private record Received(Reassembler.Message message, InetSocketAddress from) {
    }

    private final DatagramOpener opener;
    private final Reassembler reassembler;
    private final SyncCounters counters;
    private final Executor syncThread;
    private final BiConsumer<Reassembler.Message, InetSocketAddress> handler;
    private final LongSupplier nanoTime;
    private final AtomicInteger pending = new AtomicInteger();
    private final Queue<Received> mailbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainPlanned = new AtomicBoolean();

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

    /** The first {@code length} bytes of {@code buffer}, which the transport reuses once this returns (nothing here keeps it). */
    void onDatagram(byte[] buffer, int length, InetSocketAddress from) {
        Opened opened = opener.open(buffer, length);
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
        mailbox.add(new Received(m, from));
        planDrain();
    }

    private void planDrain() {
        if (drainPlanned.compareAndSet(false, true)) {
            try {
                syncThread.execute(this::drain);
            } catch (RejectedExecutionException stopping) {
                mailbox.clear();
                pending.set(0);
            }
        }
    }

    /** On the sync thread: handles up to a batch of waiting messages, and plans the next batch if more wait. */
    private void drain() {
        try {
            for (int i = 0; i < BATCH; i++) {
                Received r = mailbox.poll();
                if (r == null) {
                    break;
                }
                pending.decrementAndGet();
                handler.accept(r.message(), r.from());
            }
        } finally {
            drainPlanned.set(false);
            if (!mailbox.isEmpty()) {
                planDrain(); // a message added after the last poll, or more than a batch waiting
            }
        }
    }
}
