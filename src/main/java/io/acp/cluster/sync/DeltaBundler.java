package io.acp.cluster.sync;

import io.acp.model.Entry;
import io.acp.model.EntrySlot;
import io.acp.model.StatsEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * The bundler of the deltas this node originates, after JGroups' transfer-queue bundler: a write
 * made while the node is idle goes out at once, and what is written while the sync thread is busy
 * with something else goes out together when it is done (natural batching, no timer). While the
 * sync thread is backed up (at least {@code busyBacklog} received messages wait for it), writes are
 * held until they fill a datagram or the oldest has waited {@code maxLinger}, so the per-flush
 * costs (pair tags or a signature, AES-GCM, a syscall per datagram, and the receivers' costs per
 * message) are shared by more entries exactly when the machine has the least time for them, and
 * the wait stays bounded. A few messages waiting is not backed up: they arrive all the time under
 * a steady load, and lingering then would add the linger to most deltas. Flushes that cost a
 * signature (sealed, in a large group) are also spaced by {@code minSpacing}, so signatures per
 * second stay bounded whatever the write rate; tagged flushes, which cost no signature, are not.
 *
 * <p>The queue holds at most one entry per slot (the latest: a slot written twice before a flush is
 * sent once) and at most {@code maxPending} slots. A write to a new slot beyond that is not queued
 * but counted ({@link #overflowed()}): it is in the CDB and so in the digest, and anti-entropy
 * brings it to the peers. Memory is bounded by the limit, never by the write rate. Entries leave in
 * the order of their latest write, so a receiver that takes a whole bundle passes through states
 * the author passed through.
 *
 * <p>Entries that went out under pair tags are also kept, latest per slot, until the next
 * heartbeat seals them for relaying ({@link #drainAwaitingSeal()}). Writers add from any thread;
 * the sync thread decides and drains.
 */
final class DeltaBundler {

    /** What became of an added entry. */
    enum Added {
        /** Queued, and the queue was empty: time to plan a flush. */
        FIRST,
        /** Queued behind others (or replaced the pending entry of its slot). */
        QUEUED,
        /** Queued, and the queue now holds a full datagram's worth: send it without lingering, even if busy. */
        FULL,
        /** Not queued: {@code maxPending} slots are already waiting. */
        OVERFLOW
    }

    /**
     * @param minSpacingNanos a signed flush follows the last one no sooner than this (caps signatures
     *                        per second when writes come one by one faster than they can be sent)
     * @param maxLingerNanos  busy: the longest a pending entry waits for its bundle to fill
     * @param bundleBytes     a bundle this large (the body of one datagram) goes out at once
     * @param maxPending      most slots waiting
     * @param busyBacklog     received messages waiting for the sync thread from which it counts as backed up
     */
    record Limits(long minSpacingNanos, long maxLingerNanos, int bundleBytes, int maxPending, int busyBacklog) {
        Limits {
            if (minSpacingNanos < 0 || maxLingerNanos < 0 || bundleBytes < 1 || maxPending < 1 || busyBacklog < 1) {
                throw new IllegalArgumentException("bundler limits out of range: " + this);
            }
        }
    }

    private record Pending(Entry entry, int bytes) {
    }

    /**
     * Received messages waiting from which the sync thread counts as backed up: about two rounds of
     * messages from each peer of a small group. Under a steady load that the machine keeps up with,
     * the backlog stays below it; once it grows past it, each message a flush adds costs every
     * receiver more than a later, fuller flush would.
     */
    static final int BUSY_BACKLOG = 16;

    private final Limits limits;
    private volatile boolean signedFlushes = true; // until the sync thread says otherwise: the safe assumption
    // guarded by this
    private LinkedHashMap<EntrySlot, Pending> pending = new LinkedHashMap<>();
    private int pendingBytes;
    private long oldestNanos;
    private long lastFlushNanos;
    private boolean flushedOnce;
    private long overflowed;
    private long bundles;
    private LinkedHashMap<EntrySlot, Entry> awaitingSeal = new LinkedHashMap<>(); // sync thread only
    /** Its size, for readers on other threads (stats). */
    private volatile int awaitingSealCount;

    DeltaBundler(Limits limits) {
        this.limits = limits;
    }

    /** Queues an entry written at {@code nowNanos}; see {@link Added}. */
    synchronized Added add(Entry e, long nowNanos) {
        EntrySlot slot = EntrySlot.of(e);
        int bytes = estimatedBytes(e);
        Pending before = pending.remove(slot); // re-inserted at the end: entries leave in the order of their latest write
        if (before == null && pending.size() >= limits.maxPending()) {
            overflowed++;
            return Added.OVERFLOW;
        }
        boolean first = pending.isEmpty() && before == null;
        if (first) {
            oldestNanos = nowNanos;
        }
        pending.put(slot, new Pending(e, bytes));
        pendingBytes += bytes - (before == null ? 0 : before.bytes());
        if (pendingBytes >= limits.bundleBytes()) {
            return Added.FULL;
        }
        return first ? Added.FIRST : Added.QUEUED;
    }

    /**
     * Whether flushes cost a signature (sealed deltas: a group too large for pair tags, or an L3
     * bridge), and so are spaced. Set by the sync thread when it flushes.
     */
    void signedFlushes(boolean signed) {
        signedFlushes = signed;
    }

    /**
     * When what is pending should go out, given how many received messages wait for the sync
     * thread ({@code backlog}): {@link Long#MAX_VALUE} if nothing is pending; while not backed up,
     * or once a full bundle is pending, at once; while backed up, when the oldest pending entry has
     * waited the longest linger. A signed flush never sooner than the minimum spacing after the
     * last flush, so signatures per second stay bounded whatever the write rate.
     */
    synchronized long sendAt(long nowNanos, int backlog) {
        if (pending.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long spaced = flushedOnce && signedFlushes ? lastFlushNanos + limits.minSpacingNanos() : nowNanos;
        if (backlog < limits.busyBacklog() || pendingBytes >= limits.bundleBytes()) {
            return spaced;
        }
        return Math.max(spaced, oldestNanos + limits.maxLingerNanos());
    }

    /** Whether what is pending should go out now. */
    boolean due(long nowNanos, int backlog) {
        long at = sendAt(nowNanos, backlog);
        return at != Long.MAX_VALUE && at - nowNanos <= 0;
    }

    /** Takes everything pending, in the order of each slot's latest write, as one bundle sent at {@code nowNanos}. */
    List<Entry> drain(long nowNanos) {
        LinkedHashMap<EntrySlot, Pending> batch;
        synchronized (this) {
            lastFlushNanos = nowNanos;
            flushedOnce = true;
            batch = pending;
            if (batch.isEmpty()) {
                return List.of();
            }
            pending = new LinkedHashMap<>();
            pendingBytes = 0;
            bundles++;
        }
        List<Entry> out = new ArrayList<>(batch.size());
        for (Pending p : batch.values()) {
            out.add(p.entry());
        }
        return out;
    }

    synchronized int pendingCount() {
        return pending.size();
    }

    /** Writes to a new slot that found the queue full (left to anti-entropy). */
    synchronized long overflowed() {
        return overflowed;
    }

    /** Bundles drained (flushes that had something to send). */
    synchronized long bundles() {
        return bundles;
    }

    /** Remembers entries sent under pair tags: the next heartbeat seals the latest of each slot. */
    void sentTagged(List<Entry> entries) {
        for (Entry e : entries) {
            awaitingSeal.put(EntrySlot.of(e), e);
        }
        awaitingSealCount = awaitingSeal.size();
    }

    /** Takes the entries sent under pair tags since the last call, the latest of each slot. */
    List<Entry> drainAwaitingSeal() {
        List<Entry> out = new ArrayList<>(awaitingSeal.values());
        awaitingSeal = new LinkedHashMap<>();
        awaitingSealCount = 0;
        return out;
    }

    /** Slots sent under pair tags since the last heartbeat's seal, as last counted on the sync thread; any thread. */
    int awaitingSeal() {
        return awaitingSealCount;
    }

    /**
     * About the bytes the entry takes in a body (EntryCodec's layout): exact for stats with ASCII
     * names, a round guess for objects and meta, whose JSON is not rendered here. Only when a bundle
     * counts as full depends on it; the packing into datagrams measures the real encoding.
     */
    static int estimatedBytes(Entry e) {
        int common = 4 + 1 + 2 + e.key().type().wireName().length() + 2 + e.key().id().length() + 8 + 2 + e.version().node().length();
        if (e instanceof StatsEntry s) {
            int n = common + 2 + s.node().length() + 2;
            for (String name : s.values().keySet()) {
                n += 2 + name.length() + 8;
            }
            return n;
        }
        return common + 256;
    }
}
