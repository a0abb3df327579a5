package io.acp.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.testing.LogCapture;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * One outcome for many subscribers, each told it is subscribed before it gets the outcome, even
 * when the outcome arrives on another thread while it is being subscribed.
 */
class SharedOutcomeTest {

    /**
     * The gap, held open: the subscriber is told it is subscribed, and while it is, another thread
     * completes the source. The outcome reaches it only after it has returned.
     */
    @Test
    void anOutcomeArrivingWhileASubscriberIsBeingSubscribedWaitsForIt() throws Exception {
        CompletableFuture<String> source = new CompletableFuture<>();
        Uni<String> shared = SharedOutcome.of(Uni.createFrom().completionStage(source));
        OrderWatch watch = new OrderWatch(() -> source.complete("answer"));
        shared.subscribe().withSubscriber(watch);

        assertThat(watch.item.await(5, TimeUnit.SECONDS)).as("the outcome arrives").isTrue();
        assertThat(watch.answer.get()).isEqualTo("answer");
        assertThat(watch.duringSubscribe).as("delivered while the subscriber was still being subscribed").isFalse();
    }

    /**
     * Why this class exists: Mutiny's memoize, in the same gap, hands the outcome to the subscriber
     * from the completing thread while it is still being subscribed. When this fails, Mutiny has
     * mended it, and SharedOutcome may give way to memoize again.
     */
    @Test
    void memoizeHandsTheOutcomeOverWhileTheSubscriberIsStillBeingSubscribed() throws Exception {
        CompletableFuture<String> source = new CompletableFuture<>();
        Uni<String> memoized = Uni.createFrom().<String>emitter(em -> source.whenComplete((v, f) -> em.complete(v))).memoize().indefinitely();
        memoized.subscribe().with(v -> { }); // the first subscriber starts the source, as the CDB's own did
        OrderWatch watch = new OrderWatch(() -> source.complete("answer"));
        memoized.subscribe().withSubscriber(watch);

        assertThat(watch.item.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(watch.duringSubscribe).isTrue();
    }

    @Test
    void everySubscriberGetsTheOneOutcomeAndTheSourceRunsOnce() {
        int[] runs = new int[1];
        Uni<Integer> shared = SharedOutcome.of(Uni.createFrom().item(() -> ++runs[0]));
        assertThat(shared.await().atMost(Duration.ofSeconds(5))).isEqualTo(1);
        assertThat(shared.await().atMost(Duration.ofSeconds(5))).isEqualTo(1);
        assertThat(runs[0]).isEqualTo(1);
    }

    /** As memoize does; a future's dependents would run last-come first, and the service manager's start order leans on this. */
    @Test
    void subscribersAreAnsweredInTheOrderTheyCame() {
        CompletableFuture<String> source = new CompletableFuture<>();
        Uni<String> shared = SharedOutcome.of(source);
        java.util.List<Integer> order = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            shared.subscribe().with(v -> order.add(n));
        }
        source.complete("x");
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void aFailureReachesEverySubscriberUnwrapped() {
        Uni<String> shared = SharedOutcome.of(Uni.createFrom().failure(new IllegalStateException("no")));
        for (int i = 0; i < 2; i++) {
            String seen = shared.onFailure().recoverWithItem(Throwable::toString).await().atMost(Duration.ofSeconds(5));
            assertThat(seen).isEqualTo("java.lang.IllegalStateException: no");
        }
    }

    @Test
    void aSubscriberThatCancelsDoesNotCancelTheOutcomeForTheOthers() {
        CompletableFuture<String> source = new CompletableFuture<>();
        SharedOutcome<String> shared = new SharedOutcome<>();
        shared.take(Uni.createFrom().completionStage(source));
        shared.uni().subscribe().with(v -> { }).cancel();
        AtomicReference<String> got = new AtomicReference<>();
        shared.uni().subscribe().with(got::set);
        source.complete("still");
        assertThat(got.get()).isEqualTo("still");
        assertThat(source.isCancelled()).isFalse();
    }

    /** A step that throws past Mutiny is logged (a future would keep it to itself), and the subscribers after it are still answered. */
    @Test
    void aStepThatThrowsOnDeliveryIsLogged() {
        CompletableFuture<String> source = new CompletableFuture<>();
        try (LogCapture log = new LogCapture(SharedOutcome.class.getName())) {
            Uni<String> shared = SharedOutcome.of(source);
            shared.subscribe().withSubscriber(new UniSubscriber<String>() {
                @Override
                public void onSubscribe(UniSubscription subscription) {
                }

                @Override
                public void onItem(String item) {
                    throw new IllegalStateException("a careless step");
                }

                @Override
                public void onFailure(Throwable failure) {
                }
            });
            AtomicReference<String> after = new AtomicReference<>();
            shared.subscribe().with(after::set); // came after the one that throws, and is still answered
            source.complete("x");
            assertThat(after.get()).isEqualTo("x");
            assertThat(log.lines()).anyMatch(l -> l.contains("a step chained onto a shared outcome threw; the pipeline it belongs to ends here")
                    && l.contains("a careless step"));
        }
    }

    /** Records whether the item came while {@link #onSubscribe} was still running; completes the source from another thread while it runs. */
    static final class OrderWatch implements UniSubscriber<String> {

        final CountDownLatch item = new CountDownLatch(1);
        final AtomicReference<String> answer = new AtomicReference<>();
        final Runnable completeElsewhere;
        volatile boolean subscribing;
        volatile boolean duringSubscribe;

        OrderWatch(Runnable completeElsewhere) {
            this.completeElsewhere = completeElsewhere;
        }

        @Override
        public void onSubscribe(UniSubscription subscription) {
            subscribing = true;
            Thread other = new Thread(completeElsewhere);
            other.start();
            try {
                other.join(5_000);
                item.await(300, TimeUnit.MILLISECONDS); // time for an outcome handed over at once to arrive
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            subscribing = false;
        }

        @Override
        public void onItem(String value) {
            duringSubscribe = subscribing;
            answer.set(value);
            item.countDown();
        }

        @Override
        public void onFailure(Throwable failure) {
            item.countDown();
        }
    }
}
