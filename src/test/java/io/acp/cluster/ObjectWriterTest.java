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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Writes are not held back by a compaction waiting on the disk: it holds the write lock only to
 * copy and queue its snapshot, so a write on the caller's thread (plain, or through the CDB's
 * writer, which an event loop uses) is taken and acknowledged while the snapshot is still being
 * written.
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
        public CompletableFuture<Void> compactQueued(Collection<ObjectEntry> live) {
            compacting.countDown();
            return CompletableFuture.runAsync(() -> {
                try {
                    disk.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        @Override
        public void close() {
        }
    }

    /**
     * Compaction queues its snapshot under the write lock and waits for the disk outside it: a plain
     * write while the disk is busy with the snapshot is taken and acknowledged without waiting.
     */
    @Test
    void aPlainWriteIsNotHeldBackWhileCompactionWaitsOnTheDisk() throws Exception {
        SlowCompaction log = new SlowCompaction();
        try (Cdb cdb = new Cdb("n1", new HybridClock(), log, 10)) {
            Thread compaction = new Thread(cdb::compact, "compaction");
            compaction.start();
            assertThat(log.compacting.await(10, TimeUnit.SECONDS)).isTrue();

            ObjectKey key = new ObjectKey(ObjectType.NETWORK, "net2");
            CompletableFuture<ObjectEntry> written = CompletableFuture.supplyAsync(
                    () -> cdb.putObject(key, "vlan", Json.object().put("vlan", 11), Cdb.ABSENT).await().indefinitely());
            // the disk stays busy until after this: a write waiting on the compaction would never finish here
            assertThat(written.get(10, TimeUnit.SECONDS).key()).isEqualTo(key);
            assertThat(compaction.isAlive()).as("compaction still waits on the disk").isTrue();

            log.disk.countDown();
            compaction.join();
        }
    }

    @Test
    void aWriteThroughTheWriterWhileCompactionWaitsOnTheDiskLandsAtOnce() throws Exception {
        SlowCompaction log = new SlowCompaction();
        try (Cdb cdb = new Cdb("n1", new HybridClock(), log, 10)) {
            Thread compaction = new Thread(cdb::compact, "compaction");
            compaction.start();
            assertThat(log.compacting.await(10, TimeUnit.SECONDS)).isTrue();

            ObjectKey key = new ObjectKey(ObjectType.NETWORK, "net1");
            Uni<ObjectEntry> write = cdb.writer().putObject(key, "vlan", Json.object().put("vlan", 10), Cdb.ABSENT);
            UniAssertSubscriber<ObjectEntry> answer = write.subscribe().withSubscriber(UniAssertSubscriber.create());
            answer.awaitItem(Duration.ofSeconds(10));
            assertThat(cdb.object(key)).isPresent();
            assertThat(compaction.isAlive()).as("compaction still waits on the disk").isTrue();

            log.disk.countDown();
            compaction.join();
        }
    }
}
