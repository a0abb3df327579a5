package io.acp.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.journal.Journal;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.Eventually;
import io.acp.testing.HeldAcknowledgements;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write's answer and a caller that subscribes to it while the journal acknowledges it on its own
 * thread. A pipeline that chains onto a write must be told it is subscribed before it gets the
 * answer: {@code chain} takes an answer that comes first for its own input, runs its step again and
 * drops an answer, and the pipeline then waits for ever (a node's storage start hung so).
 */
class CdbWriteAnswerTest {

    @TempDir
    Path dir;

    @Test
    void aWriteAcknowledgedWhileTheCallerIsBeingSubscribedIsAnsweredAfterwards() throws Exception {
        Journal journal = Journal.open(dir, false, Long.MAX_VALUE);
        Cdb cdb = new Cdb("n1", new HybridClock(), journal, 5);
        CountDownLatch released = new CountDownLatch(1);
        try {
            cdb.recover();
            // the journal's acknowledging thread is held, so the write is answered only once the caller lets it go
            HeldAcknowledgements.holdUntil(journal, released);
            ObjectKey key = ObjectKey.of(ObjectType.STORAGE, "p1");
            Uni<ObjectEntry> write = cdb.putObject(key, "pool", Json.object().put("kind", "dir"), null);
            Watch watch = new Watch(cdb, key, released);
            write.subscribe().withSubscriber(watch);

            Eventually.await(Duration.ofSeconds(10), () -> watch.item.getCount() == 0, "the write is answered");
            assertThat(watch.sawItVisible).as("the journal acknowledged it while the caller was being subscribed").isTrue();
            assertThat(watch.duringSubscribe).as("answered while the caller was still being subscribed").isFalse();
        } finally {
            released.countDown();
            cdb.close();
        }
    }

    /** Lets the acknowledgements go when told it is subscribed, then holds on until the write is visible (acknowledged and published), and a little more. */
    static final class Watch implements UniSubscriber<ObjectEntry> {

        final CountDownLatch item = new CountDownLatch(1);
        final Cdb cdb;
        final ObjectKey key;
        final CountDownLatch released;
        volatile boolean subscribing;
        volatile boolean duringSubscribe;
        volatile boolean sawItVisible;

        Watch(Cdb cdb, ObjectKey key, CountDownLatch released) {
            this.cdb = cdb;
            this.key = key;
            this.released = released;
        }

        @Override
        public void onSubscribe(UniSubscription subscription) {
            subscribing = true;
            released.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (cdb.object(key).isEmpty() && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            sawItVisible = cdb.object(key).isPresent();
            try {
                item.await(300, TimeUnit.MILLISECONDS); // time for an answer handed over at once to arrive
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            subscribing = false;
        }

        @Override
        public void onItem(ObjectEntry e) {
            duringSubscribe = subscribing;
            item.countDown();
        }

        @Override
        public void onFailure(Throwable failure) {
            item.countDown();
        }
    }
}
