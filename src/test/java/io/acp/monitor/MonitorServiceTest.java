package io.acp.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.Cdb;
import io.acp.node.ServiceContext;
import io.acp.model.MetaEntry;
import io.acp.testing.Eventually;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The managed service: rounds on its own thread, meta withdrawn on stop, bad settings fail the start. */
class MonitorServiceTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private static ServiceContext context() {
        return new ServiceContext() {
            @Override
            public String nodeId() {
                return "n1";
            }

            @Override
            public void failed(Throwable cause) {
                throw new AssertionError("monitor reported a failure", cause);
            }
        };
    }

    @Test
    void runsRoundsOnItsOwnThreadAndWithdrawsItsRoleOnStop() {
        try (Cdb cdb = Cdb.inMemory("n1")) {
            Producers.node(cdb, "n1", true);
            Producers.pool(cdb, "p1", "n1", "nearFull", 88);
            MonitorService service = new MonitorService(() -> cdb,
                    () -> MonitorSettings.defaults().withTimings(Duration.ofMillis(50), Duration.ZERO, Duration.ZERO));
            service.start(context()).await().atMost(WAIT);
            Eventually.await(WAIT, () -> !cdb.stats(Monitor.serviceKey("n1"), "n1").isEmpty()
                    && cdb.object(io.acp.model.ObjectKey.of(io.acp.model.ObjectType.ALARM, "poolNearFull:storage:p1:n1")).isPresent(),
                    "health published and the alarm raised");
            assertThat(cdb.stats(Monitor.serviceKey("n1"), "n1").get(0).values()).containsEntry("health", 95.0).containsEntry("health.n1", 95.0);
            assertThat(MonitorQueries.primary(cdb).orElseThrow().node()).isEqualTo("n1");
            assertThat(service.health().healthy()).isTrue();
            assertThat(service.monitor().decision().term()).isEqualTo(1);

            service.stop().await().atMost(WAIT);
            List<MetaEntry> meta = cdb.meta(Monitor.serviceKey("n1"), "n1");
            assertThat(meta.get(0).values().has("role")).as("no longer counted as a running monitor").isFalse();
            assertThat(MonitorQueries.primary(cdb)).isEmpty();
            assertThat(service.monitor()).isNull();
        }
    }

    @Test
    void followsTheClusterServiceToItsNewCdbAfterARestart() {
        try (Cdb first = Cdb.inMemory("n1"); Cdb second = Cdb.inMemory("n1")) {
            Producers.node(first, "n1", true);
            Producers.node(second, "n1", true);
            java.util.concurrent.atomic.AtomicReference<Cdb> current = new java.util.concurrent.atomic.AtomicReference<>(first);
            MonitorService service = new MonitorService(current::get,
                    () -> MonitorSettings.defaults().withTimings(Duration.ofMillis(50), Duration.ZERO, Duration.ZERO));
            service.start(context()).await().atMost(WAIT);
            Eventually.await(WAIT, () -> MonitorQueries.primary(first).isPresent(), "primary in the first CDB");
            current.set(second);
            Eventually.await(WAIT, () -> MonitorQueries.primary(second).isPresent(), "primary in the CDB of the restarted cluster service");
            assertThat(service.health().healthy()).isTrue();
            service.stop().await().atMost(WAIT);
        }
    }

    @Test
    void aBadRuleOverrideFailsTheStartNamingTheKey() {
        try (Cdb cdb = Cdb.inMemory("n1")) {
            MonitorService service = new MonitorService(() -> cdb, () -> MonitorSettings.from(io.acp.testing.TestConfig.of(
                    java.util.Map.of("acp.monitor.rules.poolfull.weight", "5"), MonitorConfig.class).mapping(MonitorConfig.class)));
            assertThatThrownBy(() -> service.start(context()).await().atMost(WAIT)).hasMessageContaining("acp.monitor.rules.poolfull");
            service.stop().await().atMost(WAIT);
        }
    }
}
