package io.acp.cluster;

import io.acp.model.Entry;
import io.smallrye.mutiny.Multi;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The change streams of one CDB. Publishing is two steps so that no subscriber code ever runs
 * under a CDB lock: {@link #enqueue} while holding the lock that orders a key's changes, then
 * {@link #drain} once it is released.
 */
final class ChangeStreams {

    private final CopyOnWriteArrayList<ChangeSubscription> subscribers = new CopyOnWriteArrayList<>();
    /**
     * The subscribers as an array, replaced on every subscribe and cancel: every change is enqueued
     * and drained over them, and a for-each over the list made an iterator per change (two per
     * merged entry on the sync thread).
     */
    private volatile ChangeSubscription[] current = new ChangeSubscription[0];
    private volatile boolean closed;

    /** Every change matching the filter from the moment of subscription; completes on {@link #close}. */
    Multi<Entry> open(ChangeFilter filter) {
        return open(filter, null);
    }

    /** @param samplesOf if not null, other nodes' stats samples reach the stream only when they start a series */
    Multi<Entry> open(ChangeFilter filter, String samplesOf) {
        return Multi.createFrom().publisher(subscriber -> {
            ChangeSubscription s = new ChangeSubscription(filter, samplesOf, subscriber, this::remove);
            // onSubscribe first: no signal may reach the subscriber before it.
            subscriber.onSubscribe(s);
            add(s);
            if (s.cancelled()) {
                remove(s);
            } else if (closed) {
                s.complete();
            }
        });
    }

    private synchronized void add(ChangeSubscription s) {
        subscribers.add(s);
        current = subscribers.toArray(new ChangeSubscription[0]);
    }

    private synchronized void remove(ChangeSubscription s) {
        subscribers.remove(s);
        current = subscribers.toArray(new ChangeSubscription[0]);
    }

    /** Queues a change for every subscriber; never calls a subscriber. */
    void enqueue(Entry e) {
        for (ChangeSubscription s : current) {
            s.enqueue(e);
        }
    }

    /**
     * Queues a stats sample; {@code startsSeries} if the CDB held no series of its (object, node)
     * before it. Returns whether any subscriber queued it: if none did, there is nothing of this
     * sample's to {@link #drain} (another thread's changes are drained by that thread).
     */
    boolean enqueueSample(Entry e, boolean startsSeries) {
        boolean queued = false;
        for (ChangeSubscription s : current) {
            queued |= s.enqueueSample(e, startsSeries);
        }
        return queued;
    }

    /** Emits queued changes; call with no lock held, since subscribers run arbitrary code. */
    void drain() {
        for (ChangeSubscription s : current) {
            s.drain();
        }
    }

    int count() {
        return subscribers.size();
    }

    List<ChangeSubscription> subscriptions() {
        return List.copyOf(subscribers);
    }

    /** Completes every stream, and any opened later. */
    void close() {
        closed = true;
        for (ChangeSubscription s : subscribers) {
            s.complete();
        }
    }
}
