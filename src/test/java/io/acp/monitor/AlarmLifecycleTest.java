package io.acp.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alarms as objects on a real CDB with a controlled clock: raise delay, clear delay, no flapping,
 * acknowledgement kept until cleared, deterministic ids across primaries, retention.
 */
class AlarmLifecycleTest {

    private static final String POOL_ALARM = "poolFull:storage:p1:n2";
    private final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
    private final MonitorSettings settings = MonitorSettings.defaults()
            .withTimings(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(2))
            .withAlarmKeeping(Duration.ofSeconds(5), Duration.ofSeconds(60));
    private Cdb cdb;
    private Monitor monitor;

    @BeforeEach
    void oneMonitor() {
        cdb = Cdb.inMemory("n1");
        Producers.node(cdb, "n1", true);
        Producers.node(cdb, "n2", false);
        Producers.membership(cdb, "n1", "n2", "alive");
        monitor = new Monitor(cdb, settings, clock::get);
        nodesReport();
    }

    @AfterEach
    void close() {
        monitor.close();
        cdb.close();
    }

    private void nodesReport() {
        Producers.nodeStats(cdb, "n1", clock.get());
        Producers.nodeStats(cdb, "n2", clock.get());
    }

    /** Advances the clock and runs a round, with the nodes' stats arriving as they do every second. */
    private void after(long millis) {
        clock.addAndGet(millis);
        nodesReport();
        monitor.round();
    }

    private Optional<Alarm> alarm(String id) {
        return cdb.object(ObjectKey.of(ObjectType.ALARM, id)).map(e -> Alarm.fromJson(e.spec()));
    }

    private void poolFull(boolean full) {
        Producers.pool(cdb, "p1", "n2", full ? "full" : "ok", full ? 99 : 10);
    }

    @Test
    void raisedOnlyAfterTheConditionHeldForTheRaiseDelay() {
        long start = clock.get();
        poolFull(true);
        after(0);
        after(999);
        assertThat(alarm(POOL_ALARM)).as("held 999 ms of 1 s").isEmpty();
        after(1);
        Alarm a = alarm(POOL_ALARM).orElseThrow();
        assertThat(a.state()).isEqualTo(Alarm.State.RAISED);
        assertThat(a.rule()).isEqualTo("poolFull");
        assertThat(a.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(a.subject()).isEqualTo("storage/p1");
        assertThat(a.node()).isEqualTo("n2");
        assertThat(a.firstSeen()).as("when the condition began").isEqualTo(Instant.ofEpochMilli(start));
        assertThat(a.lastSeen()).isEqualTo(Instant.ofEpochMilli(clock.get()));
        assertThat(a.message()).contains("pool p1", "n2");
    }

    @Test
    void aFlappingConditionNeitherRaisesNorClears() {
        for (int i = 0; i < 10; i++) {
            poolFull(true);
            after(500);
            poolFull(false);
            after(500);
        }
        assertThat(alarm(POOL_ALARM)).as("never held 1 s without a break").isEmpty();

        poolFull(true);
        after(0);
        after(1000);
        assertThat(alarm(POOL_ALARM).orElseThrow().state()).isEqualTo(Alarm.State.RAISED);
        for (int i = 0; i < 10; i++) {
            poolFull(false);
            after(1500);
            poolFull(true);
            after(100);
        }
        assertThat(alarm(POOL_ALARM).orElseThrow().state()).as("never gone 2 s without a break").isEqualTo(Alarm.State.RAISED);
        assertThat(cdb.objects(ObjectQuery.ofType(ObjectType.ALARM))).hasSize(1);
    }

    @Test
    void clearedAfterTheConditionIsGoneForTheClearDelayAndRaisedAgainWhenItReturns() {
        poolFull(true);
        after(0);
        after(1000);
        Instant first = alarm(POOL_ALARM).orElseThrow().firstSeen();
        poolFull(false);
        after(100);
        after(1899);
        assertThat(alarm(POOL_ALARM).orElseThrow().state()).as("gone 1.999 s").isEqualTo(Alarm.State.RAISED);
        after(1);
        Alarm cleared = alarm(POOL_ALARM).orElseThrow();
        assertThat(cleared.state()).isEqualTo(Alarm.State.CLEARED);
        assertThat(cleared.clearedAt()).isEqualTo(Instant.ofEpochMilli(clock.get()));

        poolFull(true);
        after(0);
        after(1000);
        Alarm again = alarm(POOL_ALARM).orElseThrow();
        assertThat(again.state()).isEqualTo(Alarm.State.RAISED);
        assertThat(again.firstSeen()).isAfter(first);
        assertThat(again.clearedAt()).isNull();
    }

    @Test
    void anAcknowledgedAlarmStaysAcknowledgedUntilCleared() {
        poolFull(true);
        after(0);
        after(1000);
        MonitorQueries.ack(cdb, POOL_ALARM, "ops").await().atMost(Duration.ofSeconds(5));
        assertThat(alarm(POOL_ALARM).orElseThrow().state()).isEqualTo(Alarm.State.ACKNOWLEDGED);
        after(6000);
        Alarm refreshed = alarm(POOL_ALARM).orElseThrow();
        assertThat(refreshed.state()).isEqualTo(Alarm.State.ACKNOWLEDGED);
        assertThat(refreshed.ackedBy()).isEqualTo("ops");
        assertThat(refreshed.lastSeen()).as("lastSeen refreshed after 5 s").isEqualTo(Instant.ofEpochMilli(clock.get()));

        poolFull(false);
        after(100);
        after(2000);
        assertThat(alarm(POOL_ALARM).orElseThrow().state()).isEqualTo(Alarm.State.CLEARED);
        assertThatThrownBy(() -> MonitorQueries.ack(cdb, POOL_ALARM, "ops").await().atMost(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT))
                .hasMessageContaining(POOL_ALARM).hasMessageContaining("cleared");
        assertThatThrownBy(() -> MonitorQueries.ack(cdb, "nodeDead:node:n9", "ops").await().atMost(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> MonitorQueries.ack(cdb, "bad/id", "ops").await().atMost(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));

        poolFull(true);
        after(0);
        after(1000);
        Alarm raised = alarm(POOL_ALARM).orElseThrow();
        assertThat(raised.state()).isEqualTo(Alarm.State.RAISED);
        assertThat(raised.ackedBy()).isNull();
    }

    @Test
    void aNewPrimaryCarriesOnWithTheSameAlarmObjects() {
        poolFull(true);
        after(0);
        after(1000);
        ObjectEntry before = cdb.object(ObjectKey.of(ObjectType.ALARM, POOL_ALARM)).orElseThrow();
        monitor.close();
        monitor = new Monitor(cdb, settings, clock::get);
        for (int i = 0; i < 20; i++) {
            after(100);
        }
        List<ObjectEntry> alarms = cdb.objects(ObjectQuery.ofType(ObjectType.ALARM));
        assertThat(alarms).singleElement().satisfies(e -> assertThat(e.id()).isEqualTo(POOL_ALARM));
        assertThat(Alarm.fromJson(alarms.get(0).spec()).firstSeen()).isEqualTo(Alarm.fromJson(before.spec()).firstSeen());
        assertThat(Alarm.fromJson(alarms.get(0).spec()).state()).isEqualTo(Alarm.State.RAISED);
    }

    @Test
    void anAlarmAboutANodeThatCannotBeSeenIsLeftAsItIs() {
        poolFull(true);
        after(0);
        after(1000);
        Producers.membership(cdb, "n1", "n2", "suspect");
        for (int i = 0; i < 30; i++) {
            after(100);
        }
        assertThat(alarm(POOL_ALARM).orElseThrow().state()).as("n2 unobservable: not cleared").isEqualTo(Alarm.State.RAISED);
        assertThat(alarm("nodeSuspect:node:n2").orElseThrow().state()).isEqualTo(Alarm.State.RAISED);

        Producers.membership(cdb, "n1", "n2", "alive");
        for (int i = 0; i < 21; i++) {
            after(100);
        }
        assertThat(alarm(POOL_ALARM).orElseThrow().state()).as("seen again and still full").isEqualTo(Alarm.State.RAISED);
        assertThat(alarm("nodeSuspect:node:n2").orElseThrow().state()).isEqualTo(Alarm.State.CLEARED);
    }

    @Test
    void clearedAlarmsAreDeletedAfterTheRetention() {
        poolFull(true);
        after(0);
        after(1000);
        poolFull(false);
        after(100);
        after(2000);
        assertThat(alarm(POOL_ALARM).orElseThrow().state()).isEqualTo(Alarm.State.CLEARED);
        after(59_000);
        assertThat(alarm(POOL_ALARM)).isPresent();
        after(1_000);
        assertThat(alarm(POOL_ALARM)).isEmpty();
        assertThat(MonitorQueries.alarms(cdb, true)).isEmpty();
    }
}
