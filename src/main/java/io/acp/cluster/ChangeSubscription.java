package io.acp.cluster;

import io.acp.model.Entry;
import io.acp.model.EntrySlot;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One subscriber's view of the change stream.
 *
 * <p>Changes wait in two places. While the subscriber keeps up (it has asked for more than is
 * queued) they go to a short FIFO: no coalescing, no per-change key object, the fast path. Beyond
 * its demand, or {@link #FIFO_LIMIT}, changes wait in a map keyed by {@link EntrySlot} (an object, or
 * one node's meta or stats of it), so a subscriber that does not keep up sees the latest
 * value of each key rather than a queue that grows without bound: memory is bounded by the FIFO
 * limit plus the number of distinct keys, never by the write rate. Everything in the FIFO is older
 * than everything in the map, and a key's changes enter in version order (the CDB enqueues under
 * its per-key lock), so per key the subscriber never sees a version go back.
 *
 * <p>{@link #enqueue} never calls the subscriber, so the CDB may call it while holding locks;
 * {@link #drain} emits, serialized by the usual work-in-progress counter on whichever thread
 * writes, requests, cancels or closes. Terminal signals go through the same drain loop, so
 * onNext, onError and onComplete never overlap.
 */
final class ChangeSubscription implements Flow.Subscription {

    /** Changes queued in order before coalescing starts; bounds the fast path's memory. */
    static final int FIFO_LIMIT = 1024;

    private final ChangeFilter filter;
    /** If not null: stats samples of other nodes are queued only when they start a series (see {@link Cdb#changesOfSeries}). */
    private final String samplesOf;
    private final Flow.Subscriber<? super Entry> downstream;
    private final Consumer<ChangeSubscription> onCancel;
    private final AtomicInteger wip = new AtomicInteger();
    // Guarded by this.
    private final ArrayDeque<Entry> fifo = new ArrayDeque<>();
    private final LinkedHashMap<EntrySlot, Entry> coalescing = new LinkedHashMap<>();
    private long requested;
    private long coalesced;
    // Terminal state: set once, acted on by drain.
    private volatile boolean cancelled;
    private volatile boolean completed;
    private volatile Throwable failure;
    private boolean terminated;

    ChangeSubscription(ChangeFilter filter, Flow.Subscriber<? super Entry> downstream, Consumer<ChangeSubscription> onCancel) {
        this(filter, null, downstream, onCancel);
    }

    ChangeSubscription(ChangeFilter filter, String samplesOf, Flow.Subscriber<? super Entry> downstream, Consumer<ChangeSubscription> onCancel) {
        this.filter = filter;
        this.samplesOf = samplesOf;
        this.downstream = downstream;
        this.onCancel = onCancel;
    }

    /** Queues a change if it matches; never calls the subscriber. Returns true if queued. */
    boolean enqueue(Entry e) {
        if (cancelled || completed || !filter.matches(e)) {
            return false;
        }
        synchronized (this) {
            if (coalescing.isEmpty() && fifo.size() < Math.min(requested, FIFO_LIMIT)) {
                fifo.add(e);
            } else if (coalescing.put(EntrySlot.of(e), e) != null) {
                coalesced++;
            }
        }
        return true;
    }

    /** Queues a stats sample, unless this subscriber takes only the first of another node's series. */
    boolean enqueueSample(Entry e, boolean startsSeries) {
        if (samplesOf != null && !startsSeries && !samplesOf.equals(e.node())) {
            return false;
        }
        return enqueue(e);
    }

    /** Queues and emits at once (for callers that hold no locks). */
    void offer(Entry e) {
        if (enqueue(e)) {
            drain();
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    /** How many changes were replaced by a newer one before this subscriber took them. */
    synchronized long coalesced() {
        return coalesced;
    }

    /** Changes queued and not yet emitted (bounded: see the class comment). */
    synchronized int pending() {
        return fifo.size() + coalescing.size();
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            failure = new IllegalArgumentException("request(" + n + "): demand must be positive (Reactive Streams rule 3.9)");
        } else {
            synchronized (this) {
                requested = requested + n < 0 ? Long.MAX_VALUE : requested + n;
            }
        }
        drain();
    }

    @Override
    public void cancel() {
        if (!cancelled) {
            cancelled = true;
            onCancel.accept(this);
            drain();
        }
    }

    /** Ends the stream from the CDB side (node stopping); changes not yet taken are dropped. */
    void complete() {
        completed = true;
        drain();
    }

    void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            while (!terminated) {
                if (stopIfTerminal()) {
                    break;
                }
                Entry next = take();
                if (next == null) {
                    break;
                }
                try {
                    downstream.onNext(next);
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }

    /** Delivers a pending cancel, error or completion; true if the stream is now over. */
    private boolean stopIfTerminal() {
        Throwable error = failure;
        if (!cancelled && !completed && error == null) {
            return false;
        }
        terminated = true;
        if (!cancelled) {
            cancelled = true;
            onCancel.accept(this);
            if (error != null) {
                downstream.onError(error);
            } else {
                downstream.onComplete();
            }
        }
        synchronized (this) {
            fifo.clear();
            coalescing.clear();
        }
        return true;
    }

    private synchronized Entry take() {
        if (requested == 0) {
            return null;
        }
        Entry next = fifo.poll();
        if (next == null) {
            if (coalescing.isEmpty()) {
                return null; // the usual end of a drain: no iterator made to find nothing
            }
            Iterator<Entry> it = coalescing.values().iterator();
            if (!it.hasNext()) {
                return null;
            }
            next = it.next();
            it.remove();
        }
        if (requested != Long.MAX_VALUE) {
            requested--;
        }
        return next;
    }
}
