package io.acp.storage;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.storage.common.Probes;
import io.acp.storage.common.Reports;
import io.acp.storage.common.Usage;
import io.acp.storage.pool.PoolBackend;
import io.acp.storage.pool.PoolSpec;
import io.acp.storage.pool.Pools;
import io.acp.storage.pool.Volume;
import io.acp.testing.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two samples of one pool at once (the periodic one and the one after a volume change): the second
 * finds the first still measuring and leaves the pool's state to it, instead of reporting a healthy
 * pool unavailable as if its mount hung; a first sample that really hangs past the probe timeout
 * still makes the pool unavailable. A real dir pool, whose usage call the test can hold.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PoolSampleOverlapTest {

    @TempDir
    Path dir;

    /** The real backend, with a gate the test closes to hold its next usage call. */
    private static final class Held implements PoolBackend {
        final PoolBackend real;
        final AtomicReference<CountDownLatch> gate = new AtomicReference<>();
        final CountDownLatch entered = new CountDownLatch(1);

        Held(PoolBackend real) {
            this.real = real;
        }

        @Override
        public Usage usage() {
            CountDownLatch g = gate.getAndSet(null);
            if (g != null) {
                entered.countDown();
                try {
                    g.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return real.usage();
        }

        // @formatter:off
        @Override public String kind() { return real.kind(); }
        @Override public Path path() { return real.path(); }
        @Override public void realise() { real.realise(); }
        @Override public List<Volume> volumes() { return real.volumes(); }
        @Override public Volume create(String name, long size, String format) { return real.create(name, size, format); }
        @Override public Volume resize(String name, long size) { return real.resize(name, size); }
        @Override public void delete(String name) { real.delete(name); }
        @Override public void forget() { real.forget(); }
        // @formatter:on
    }

    @Test
    void aSampleThatMeetsAnotherOfTheSamePoolLeavesItOkButOneThatMeetsAHungSampleReportsIt() throws Exception {
        Reports reports = new Reports(Cdb.inMemory("n1"));
        try (Probes probes = new Probes()) {
            TestStorageConfig config = TestStorageConfig.in(dir);
            Pools pools = new Pools(reports, probes, StorageService.settings(config, dir), null, null, null);
            PoolSpec spec = PoolSpec.parse("images", Json.object().put("kind", "dir").put("path", dir.resolve("pools/images").toString()));
            PoolBackend real = pools.backend(spec);
            real.realise();
            Held held = new Held(real);
            Pools.Realised pool = new Pools.Realised(spec, held);
            assertThat(pools.sample(pool).await().atMost(Duration.ofSeconds(10))).isTrue();
            assertThat(state(reports)).isEqualTo("ok");

            // overlap: the first sample is held inside the pool's usage call, the second comes meanwhile
            CountDownLatch release = new CountDownLatch(1);
            held.gate.set(release);
            CompletableFuture<Boolean> first = pools.sample(pool).subscribeAsCompletionStage();
            assertThat(held.entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(pools.sample(pool).await().atMost(Duration.ofSeconds(10))).as("the second sample measures nothing").isFalse();
            assertThat(state(reports)).as("and reports nothing: the pool is busy, not broken").isEqualTo("ok");
            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(state(reports)).isEqualTo("ok");

            // a hang: the first sample outlives the probe timeout; the pool turns unavailable and stays so
            CountDownLatch hung = new CountDownLatch(1);
            held.gate.set(hung);
            CompletableFuture<Boolean> stuck = pools.sample(pool).subscribeAsCompletionStage();
            Eventually.await(Duration.ofSeconds(10), () -> "unavailable".equals(state(reports)), "the held sample times out");
            Thread.sleep(config.probeTimeout().toMillis() + 100); // the key stays busy past the timeout
            assertThat(pools.sample(pool).await().atMost(Duration.ofSeconds(10))).isFalse();
            assertThat(reports.current(Reports.key("images")).orElseThrow().path("problem").asText())
                    .contains("statvfs/report of pool images on node n1 still has not answered after");
            hung.countDown();
            assertThat(stuck.get(10, TimeUnit.SECONDS)).isFalse();
            Eventually.await(Duration.ofSeconds(10), () -> probes.busy() == 0, "the released probe frees the pool's key");
            assertThat(pools.sample(pool).await().atMost(Duration.ofSeconds(10))).isTrue();
            assertThat(state(reports)).as("back once the pool answers").isEqualTo("ok");
        }
    }

    private static String state(Reports reports) {
        return reports.current(Reports.key("images")).map(m -> m.path("state").asText()).orElse("");
    }
}
