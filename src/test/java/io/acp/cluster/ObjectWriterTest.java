package io.acp.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A write through the CDB's writer never waits on the caller's thread: while compaction holds the
 * write lock and waits on the disk, the caller (an event loop in production) gets its Uni back at
 * once, and the write lands once compaction is done.
 */
class ObjectWriterTest {

    /** A log whose compaction waits until the test lets it finish, as a slow disk would. */
    private static final class SlowCompaction implements ObjectLog {
        final CountDownLatch compacting = new CountDownLatch(1);
        final CountDownLatch disk = new CountDownLatch(1);

        @Override
        public List<ObjectEntry> load() {
            return List.of();
        }

        @Override
        public Uni<Void> append(ObjectEntry entry) {
            return Uni.createFrom().voidItem();
        }

        @Override
        public void compact(Collection<ObjectEntry> live) {
            compacting.countDown();
            try {
                disk.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aWriteWhileCompactionWaitsOnTheDiskReturnsAtOnceAndLandsAfterwards() throws Exception {
        SlowCompaction log = new SlowCompaction();
        try (Cdb cdb = new Cdb("n1", new HybridClock(), log, 10)) {
            Thread compaction = new Thread(cdb::compact, "compaction");
            compaction.start();
            assertThat(log.compacting.await(10, TimeUnit.SECONDS)).isTrue();

            ObjectKey key = new ObjectKey(ObjectType.NETWORK, "net1");
            // Were this the plain putObject, this thread would now wait for the compaction's lock.
            Uni<ObjectEntry> write = cdb.writer().putObject(key, "vlan", Json.object().put("vlan", 10), Cdb.ABSENT);
            UniAssertSubscriber<ObjectEntry> answer = write.subscribe().withSubscriber(UniAssertSubscriber.create());
            answer.assertNotTerminated();
            assertThat(cdb.object(key)).isEmpty();

            log.disk.countDown();
            answer.awaitItem(Duration.ofSeconds(10));
            assertThat(cdb.object(key)).isPresent();
            compaction.join();
        }
    }
}
