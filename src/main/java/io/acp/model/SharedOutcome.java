package io.acp.model;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;

/**
 * One outcome, given to any number of subscribers: what {@code memoize().indefinitely()} is for,
 * without its race.
 *
 * <p>Mutiny 3.1.1's memoize adds a late subscriber to its waiters, lets go of its lock, and only
 * then tells the subscriber it is subscribed. An outcome that arrives on another thread in that
 * gap reaches the subscriber before its subscription does. {@code chain} reads an item that comes
 * before its inner subscription as its own input: it runs its step a second time, and then drops
 * one of the two answers, so the pipeline waits for ever with every thread idle. That is how a
 * node's storage start hung about once in 1,750 starts on a loaded host: a CDB write acknowledged
 * on the journal's thread while the start chained onto it.
 *
 * <p>Here every subscriber is told it is subscribed before the outcome is looked at; subscribers
 * are answered in the order they came, as memoize does (a {@link CompletableFuture}'s dependents
 * run in the reverse order); and a subscriber that cancels stops only its own delivery, never the
 * outcome for the others.
 */
public final class SharedOutcome<T> {

    private static final Logger LOG = Logger.getLogger(SharedOutcome.class);

    private final Object lock = new Object();
    /** Subscribers waiting for the outcome, in the order they came: they are answered in that order. */
    private List<UniEmitter<? super T>> waiting = new ArrayList<>();
    private boolean settled;
    private T item;
    private Throwable failure;
    // the emitter tells its subscriber it is subscribed before the consumer runs, so before any outcome
    private final Uni<T> uni = Uni.createFrom().<T>emitter(this::answerWhenSettled);

    /** Subscribes to {@code source} now, and answers a Uni that gives its outcome to every subscriber. */
    public static <T> Uni<T> of(Uni<T> source) {
        SharedOutcome<T> shared = new SharedOutcome<>();
        shared.take(source);
        return shared.uni();
    }

    /** A Uni of {@code outcome} for any number of subscribers; none of them cancels it for the others. */
    public static <T> Uni<T> of(CompletableFuture<T> outcome) {
        SharedOutcome<T> shared = new SharedOutcome<>();
        outcome.whenComplete(shared::settle);
        return shared.uni();
    }

    /**
     * The outcome to come, for any number of subscribers, before it is known where it comes from:
     * for a caller that hands the Uni out under a lock and subscribes to the source after letting go
     * of it ({@link #take}).
     */
    public Uni<T> uni() {
        return uni;
    }

    /** Subscribes to {@code source}; its outcome is the outcome of {@link #uni()}. Call it once. */
    public void take(Uni<T> source) {
        source.subscribe().with(ok -> settle(ok, null), f -> settle(null, f));
    }

    private void answerWhenSettled(UniEmitter<? super T> em) {
        synchronized (lock) {
            if (!settled) {
                waiting.add(em);
                em.onTermination(() -> forget(em)); // a subscriber that cancels is not kept
                return;
            }
        }
        answer(em);
    }

    private void forget(UniEmitter<? super T> em) {
        synchronized (lock) {
            if (waiting != null) {
                waiting.remove(em);
            }
        }
    }

    private void settle(T value, Throwable thrown) {
        List<UniEmitter<? super T>> answered;
        synchronized (lock) {
            if (settled) {
                return;
            }
            settled = true;
            item = value;
            failure = thrown instanceof CompletionException c && c.getCause() != null ? c.getCause() : thrown;
            answered = waiting;
            waiting = null;
        }
        for (UniEmitter<? super T> em : answered) {
            answer(em);
        }
    }

    private void answer(UniEmitter<? super T> em) {
        try {
            if (failure == null) {
                em.complete(item);
            } else {
                em.fail(failure);
            }
        } catch (Throwable thrown) {
            // thrown past Mutiny by a step downstream: said here, and the other subscribers are still answered
            LOG.errorf(thrown, "a step chained onto a shared outcome threw; the pipeline it belongs to ends here: %s", thrown);
        }
    }
}
