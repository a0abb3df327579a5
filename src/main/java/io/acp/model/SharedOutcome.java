package io.acp.model;

import io.smallrye.mutiny.Uni;
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
 * node's storage start hung about once in 700 starts under load: a CDB write acknowledged on the
 * journal's thread while the start chained onto it.
 *
 * <p>Here every subscriber is told it is subscribed before the outcome is looked at, and a
 * subscriber that cancels stops only its own delivery, never the outcome for the others.
 */
public final class SharedOutcome<T> {

    private static final Logger LOG = Logger.getLogger(SharedOutcome.class);

    private final CompletableFuture<T> outcome = new CompletableFuture<>();
    private final Uni<T> uni = of(outcome);

    /** Subscribes to {@code source} now, and answers a Uni that gives its outcome to every subscriber. */
    public static <T> Uni<T> of(Uni<T> source) {
        SharedOutcome<T> shared = new SharedOutcome<>();
        shared.take(source);
        return shared.uni();
    }

    /** A Uni of {@code outcome} for any number of subscribers; none of them cancels it for the others. */
    public static <T> Uni<T> of(CompletableFuture<T> outcome) {
        // the emitter tells its subscriber it is subscribed before the consumer runs, so before any outcome
        return Uni.createFrom().emitter(em -> outcome.whenComplete((item, failure) -> {
            try {
                if (failure == null) {
                    em.complete(item);
                } else {
                    em.fail(failure instanceof CompletionException c && c.getCause() != null ? c.getCause() : failure);
                }
            } catch (Throwable thrown) {
                // the future would keep this to itself, and the pipeline it belongs to would wait for ever, unsaid
                LOG.errorf(thrown, "a step chained onto a shared outcome threw; the pipeline it belongs to ends here: %s", thrown);
            }
        }));
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
        source.subscribe().with(outcome::complete, outcome::completeExceptionally);
    }
}
