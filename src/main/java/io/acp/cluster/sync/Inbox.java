package io.acp.cluster.sync;

import io.acp.cluster.sync.origin.ControlCheck;
import io.acp.cluster.sync.origin.PairTags;
import io.acp.cluster.sync.wire.DatagramOpener;
import io.acp.cluster.sync.wire.DropReason;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.cluster.sync.wire.Opened;
import io.acp.cluster.sync.wire.Reassembler;
import io.acp.cluster.sync.wire.SyncCounters;
import java.net.InetSocketAddress;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * The receive side, on the transport's I/O thread: authenticate, reassemble, then hand complete
 * messages to the sync thread through a hand-over bounded in messages and in bytes (beyond it,
 * messages are dropped and counted as overload; anti-entropy repairs them). The hand-over is a
 * mailbox: messages queue here and one task on the sync thread takes up to {@link #BATCH} of
 * them, so a burst costs one task and one wake-up, not one per message (the sync thread's
 * executor keeps its timers in a heap whose lock and sift each task paid); the batch is bounded
 * so heartbeats and flushes planned on the same thread are not held behind a long backlog.
 *
 * <p>Two lanes. What was just written or says who is alive ({@code TAGGED_DELTA}, {@code HEARTBEAT})
 * goes ahead of what repairs or re-sends ({@code SEAL_TAGS} and {@code DELTA}: in a small group the
 * seals that follow each heartbeat, hundreds of entries a peer mostly holds already; {@code PULL},
 * {@code ENTRIES}: anti-entropy; {@code RETURNED}). Without it a heartbeat's sealed re-send from every peer queued
 * ahead of the next tagged delta, and its handling was the tail of propagation. The repair lane is
 * never starved: each batch gives it a share of its places in proportion to what waits in it, at
 * least {@link #REPAIR_SHARE}. Within a lane the order is the order of arrival, so a batch's
 * SEAL_TAGS still come before its DELTA bodies. A sender this node holds no certificate of is not
 * held back at all: its sealed DELTA may be the certificate that its tagged deltas right behind it
 * need, so all it sends takes the fresh lane, in arrival order, until its certificate is known.
 * The other way round for a member's new key (a re-issued certificate, a new disk): a tagged delta
 * or heartbeat under a key this node does not know yet waits in the repair lane, behind the sealed
 * DELTA that may carry that key's certificate, instead of overtaking it and being refused
 * {@code unknown-author}.
 *
 * <p>Only a {@code TAGGED_DELTA} (a write just made, in a small group) wakes the sync thread at
 * once. Anything else plans its batch up to {@link #LINGER_NANOS} later, so the messages of that
 * moment share one wake-up. In a large group every datagram is a heartbeat, seal tags or a sealed
 * {@code DELTA}, each handled in a few microseconds, and a wake-up (the executor's lock and the
 * signal on one side, the park on the other) costs about as much: in a profile at 256 nodes the
 * hand-over was a fifth of the I/O thread. The benchmark's wake-ups fell from about 550 to 100 a
 * second per node (docs/benchmarks.md, "Seal tags, one wake-up and kept targets at 256 nodes").
 */
final class Inbox {

    /** Received messages waiting for the sync thread. */
    static final int MAX_PENDING_MESSAGES = 10_000;
    /**
     * Bytes of received messages waiting for the sync thread. A message may be a reassembled one of
     * up to 345 KB: 10,000 of them would be 3.4 GB, and a sender can make the
     * sync thread slow (messages whose every seal must be verified).
     */
    static final long MAX_PENDING_BYTES = 64L << 20;
    /** Most messages one task of the sync thread handles before it lets other tasks run. */
    static final int BATCH = 64;
    /** Places of a batch kept for the repair lane whenever something waits in it. */
    static final int REPAIR_SHARE = 8;
    /** How long a message that is not a fresh write may wait for others to share its wake-up of the sync thread. */
    static final long LINGER_NANOS = 2_000_000;

    private static final int NOT_PLANNED = 0;
    private static final int PLANNED_LATER = 1;
    private static final int PLANNED_NOW = 2;

    private record Received(Reassembler.Message message, InetSocketAddress from) {
    }

    /** One lane: its messages in arrival order, and how many wait in it (a queue's size is a walk). */
    private record Lane(Queue<Received> queue, AtomicInteger waiting) {
        Lane() {
            this(new ConcurrentLinkedQueue<>(), new AtomicInteger());
        }

        void add(Received r) {
            waiting.incrementAndGet();
            queue.add(r);
        }

        Received poll() {
            Received r = queue.poll();
            if (r != null) {
                waiting.decrementAndGet();
            }
            return r;
        }

        void clear() {
            queue.clear();
            waiting.set(0);
        }
    }

    private final DatagramOpener opener;
    private final Reassembler reassembler;
    private final SyncCounters counters;
    private final SyncThread syncThread;
    private final BiConsumer<Reassembler.Message, InetSocketAddress> handler;
    private final LongSupplier nanoTime;
    private final Predicate<String> certified;
    private final KnownKey knownKey;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong pendingBytes = new AtomicLong();
    private final Lane fresh = new Lane();
    private final Lane repair = new Lane();
    /** Whether a batch is planned on the sync thread, and whether for now or later. */
    private final AtomicInteger planned = new AtomicInteger(NOT_PLANNED);
    /** A fresh write waits: the batch that ends must plan the next one now, not later. */
    private final AtomicBoolean writeWaiting = new AtomicBoolean();

    /** The sync thread, as the inbox plans its batches there. */
    interface SyncThread {
        void execute(Runnable batch);

        void schedule(Runnable batch, long delayNanos);
    }

    /** Whether the certificate of {@code node} with {@code keyId} is known here (called on the I/O thread). */
    @FunctionalInterface
    interface KnownKey {
        boolean test(String node, long keyId);
    }

    /**
     * @param certified whether any certificate of the named sender is known here (called on the I/O thread)
     * @param knownKey  whether the certificate of a sender's key is known here (called on the I/O thread)
     */
    Inbox(DatagramOpener opener, Reassembler reassembler, SyncCounters counters, SyncThread syncThread,
          BiConsumer<Reassembler.Message, InetSocketAddress> handler, LongSupplier nanoTime, Predicate<String> certified, KnownKey knownKey) {
        this.certified = certified;
        this.knownKey = knownKey;
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
        if (pendingBytes.addAndGet(m.body().length) > MAX_PENDING_BYTES) {
            pendingBytes.addAndGet(-m.body().length);
            pending.decrementAndGet();
            counters.dropped(DropReason.OVERLOAD);
            return;
        }
        laneOf(m).add(new Received(m, from));
        boolean write = m.header().type() == MessageType.TAGGED_DELTA;
        if (write) {
            writeWaiting.set(true); // before planning: a batch ending now sees it (see drain)
        }
        planDrain(write);
    }

    /** The lane of a complete message (see the class comment). */
    private Lane laneOf(Reassembler.Message m) {
        String sender = m.header().sender();
        if (!certified.test(sender)) {
            return fresh; // everything of a sender not certified yet, in arrival order: its certificate leads
        }
        MessageType type = m.header().type();
        if (isRepair(type)) {
            return repair;
        }
        OptionalLong key = type == MessageType.TAGGED_DELTA ? PairTags.senderKeyId(m.body())
                : type == MessageType.HEARTBEAT ? ControlCheck.heartbeatKeyId(m.body()) : OptionalLong.empty();
        if (key.isPresent() && !knownKey.test(sender, key.getAsLong())) {
            return repair; // a member's new key: behind the sealed DELTA that may bring its certificate
        }
        return fresh;
    }

    /** Whether a message of this type goes in the repair lane (see the class comment). */
    static boolean isRepair(MessageType type) {
        return type == MessageType.DELTA || type == MessageType.SEAL_TAGS || type == MessageType.PULL || type == MessageType.ENTRIES
                || type == MessageType.RETURNED;
    }

    /**
     * Plans a batch on the sync thread, now or {@link #LINGER_NANOS} later, unless one is planned
     * that runs as soon. A batch planned later and overtaken by one planned now still runs; it
     * finds less or nothing to do.
     */
    private void planDrain(boolean now) {
        int want = now ? PLANNED_NOW : PLANNED_LATER;
        int p;
        do {
            p = planned.get();
            if (p >= want) {
                return;
            }
        } while (!planned.compareAndSet(p, want));
        try {
            if (now) {
                syncThread.execute(this::drain);
            } else {
                syncThread.schedule(this::drain, LINGER_NANOS);
            }
        } catch (RejectedExecutionException stopping) {
            fresh.clear();
            repair.clear();
            pending.set(0);
            pendingBytes.set(0);
        }
    }

    /**
     * On the sync thread: handles up to a batch of waiting messages, fresh first except for the
     * repair lane's share, and plans the next batch if more wait.
     */
    private void drain() {
        writeWaiting.set(false);
        int handled = 0;
        try {
            int waiting = pending.get();
            int repairWaiting = repair.waiting().get();
            int repairPlaces = repairWaiting == 0 ? 0 : Math.max(REPAIR_SHARE, (int) ((long) BATCH * repairWaiting / Math.max(1, waiting)));
            int freshPlaces = BATCH - Math.min(BATCH, repairPlaces);
            // fresh messages up to their places, then the repair lane's, then whichever still waits
            handled += take(fresh, freshPlaces);
            handled += take(repair, BATCH - handled);
            handled += take(fresh, BATCH - handled);
        } finally {
            planned.set(NOT_PLANNED);
            if (!fresh.queue().isEmpty() || !repair.queue().isEmpty()) {
                // a message added after the last poll (now if it is a write), or more than a batch waiting (now: behind)
                planDrain(handled == BATCH || writeWaiting.get());
            }
        }
    }

    /** Handles up to {@code most} messages of one lane; returns how many. */
    private int take(Lane lane, int most) {
        int n = 0;
        while (n < most) {
            Received r = lane.poll();
            if (r == null) {
                break;
            }
            n++;
            pending.decrementAndGet();
            pendingBytes.addAndGet(-r.message().body().length);
            handler.accept(r.message(), r.from());
        }
        return n;
    }
}
