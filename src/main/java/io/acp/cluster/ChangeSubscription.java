package io.acp.cluster;

import io.acp.model.Entry;
import io.acp.model.ObjectKey;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One subscriber's view of the change stream. Changes wait in a map keyed by (kind, object, node),
 * so a subscriber that does not keep up sees the latest value of each key rather than a queue that
 * grows without bound: memory is bounded by the number of distinct keys, never by the write rate.
 * Emission is serialized with the usual work-in-progress counter, whichever thread writes or requests.
 */
final class ChangeSubscription implements Flow.Subscription {

    private record Slot(Entry.Kind kind, ObjectKey key, String node) {
    }

    private final ChangeFilter filter;
    private final Flow.Subscriber<? super Entry> downstream;
    private final Consumer<ChangeSubscription> onCancel;
    private final LinkedHashMap<Slot, Entry> pending = new LinkedHashMap<>();
    private final AtomicInteger wip = new AtomicInteger();
    private long requested;
    private long coalesced;
    private volatile boolean done;

    ChangeSubscription(ChangeFilter filter, Flow.Subscriber<? super Entry> downstream, Consumer<ChangeSubscription> onCancel) {
        this.filter = filter;
        this.downstream = downstream;
        this.onCancel = onCancel;
    }

    void offer(Entry e) {
        if (done || !filter.matches(e)) {
            return;
        }
        synchronized (this) {
            if (pending.put(new Slot(e.kind(), e.key(), e.node()), e) != null) {
                coalesced++;
            }
        }
        drain();
    }

    /** How many changes were replaced by a newer one before this subscriber took them. */
    synchronized long coalesced() {
        return coalesced;
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            cancel();
            downstream.onError(new IllegalArgumentException("request(" + n + "): demand must be positive (Reactive Streams rule 3.9)"));
            return;
        }
        synchronized (this) {
            requested = requested + n < 0 ? Long.MAX_VALUE : requested + n;
        }
        drain();
    }

    @Override
    public void cancel() {
        if (!done) {
            done = true;
            onCancel.accept(this);
            synchronized (this) {
                pending.clear();
            }
        }
    }

    /** Ends the stream from the CDB side (node stopping). */
    void complete() {
        if (!done) {
            done = true;
            downstream.onComplete();
        }
    }

    private void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        do {
            while (!done) {
                Entry next;
                synchronized (this) {
                    if (requested == 0 || pending.isEmpty()) {
                        break;
                    }
                    Iterator<Entry> it = pending.values().iterator();
                    next = it.next();
                    it.remove();
                    if (requested != Long.MAX_VALUE) {
                        requested--;
                    }
                }
                try {
                    downstream.onNext(next);
                } catch (RuntimeException e) {
                    cancel();
                    downstream.onError(e);
                }
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }
}
