package io.acp.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.model.HybridClock;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import io.acp.testing.TestConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The monitor's small parts: alarm ids, error rises, clock offsets, hysteresis, settings from config. */
class MonitorUnitsTest {

    @Test
    void alarmIdsAreDeterministicValidObjectIds() {
        assertThat(Hit.alarmId(Rule.NODE_DEAD, "node/n3", "n3")).isEqualTo("nodeDead:node:n3");
        assertThat(Hit.alarmId(Rule.POOL_FULL, "storage/p1", "n2")).isEqualTo("poolFull:storage:p1:n2");
        assertThat(Hit.alarmId(Rule.SERVICE_FAILED, "service/n2:storage", "n2")).isEqualTo("serviceFailed:service:n2:storage:n2");
        String longId = "x".repeat(128);
        String a = Hit.alarmId(Rule.POOL_FULL, "storage/" + longId, "n2");
        String b = Hit.alarmId(Rule.POOL_FULL, "storage/" + longId, "n3");
        assertThat(a).hasSizeLessThanOrEqualTo(128).isNotEqualTo(b).isEqualTo(Hit.alarmId(Rule.POOL_FULL, "storage/" + longId, "n2"));
        ObjectKey.of(ObjectType.ALARM, a);
    }

    private static StatsEntry sample(long millis, double rxErrors) {
        return new StatsEntry(ObjectKey.of(ObjectType.NETWORK, "v1"), "n1", Map.of("rxErrors", rxErrors, "rxBytes", 5.0),
                new Version(HybridClock.fromMillis(millis), "n1"));
    }

    @Test
    void errorCountersRiseWithinTheWindowOnly() {
        long now = 1_000_000;
        assertThat(ErrorRises.of(List.of(sample(now - 20_000, 1), sample(now - 5_000, 3), sample(now, 7)), now, 10_000))
                .containsOnlyKeys("rxErrors").containsEntry("rxErrors", 4.0);
        assertThat(ErrorRises.of(List.of(sample(now - 5_000, 3), sample(now, 3)), now, 10_000)).containsEntry("rxErrors", 0.0);
        assertThat(ErrorRises.of(List.of(sample(now - 5_000, 9), sample(now, 2)), now, 10_000)).as("counter reset").containsEntry("rxErrors", 0.0);
        assertThat(ErrorRises.of(List.of(sample(now - 30_000, 1), sample(now - 20_000, 9)), now, 10_000)).as("no recent sample").isEmpty();
        assertThat(ErrorRises.of(List.of(), now, 10_000)).isEmpty();
    }

    @Test
    void clockOffsetIsTheLeastDelayedSampleAndAgeCountsFromArrival() {
        AtomicLong now = new AtomicLong(50_000);
        StatsArrivals a = new StatsArrivals(now::get);
        assertThat(a.ageMillis("n2")).isNull();
        assertThat(a.offsetMillis("n2")).isNull();
        a.arrived("n2", Map.of(StatsArrivals.WALL_CLOCK, 52_000.0 - 30)); // 2 s ahead, 30 ms delivery
        now.addAndGet(1000);
        a.arrived("n2", Map.of(StatsArrivals.WALL_CLOCK, 53_000.0 - 5)); // 5 ms delivery
        assertThat(a.offsetMillis("n2")).isEqualTo(1995.0);
        now.addAndGet(700);
        assertThat(a.ageMillis("n2")).isEqualTo(700);
        a.known("n3");
        assertThat(a.ageMillis("n3")).isZero();
        assertThat(a.offsetMillis("n3")).isNull();
    }

    @Test
    void aMonitorWithAWrongClockFlagsItselfNotTheOthers() {
        Observations o = new Observations("n1", 0, List.of(
                new Observations.NodeFacts("n1", Observations.Reachability.SELF, 0L, 0.0),
                new Observations.NodeFacts("n2", Observations.Reachability.ALIVE, 100L, -5000.0),
                new Observations.NodeFacts("n3", Observations.Reachability.ALIVE, 100L, -5200.0),
                new Observations.NodeFacts("n4", Observations.Reachability.DEAD, null, 90_000.0)), List.of());
        List<Hit> hits = HealthRules.evaluate(o, MonitorSettings.defaults());
        assertThat(hits).extracting(Hit::rule, Hit::node).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Rule.NODE_DEAD, "n4"),
                org.assertj.core.groups.Tuple.tuple(Rule.CLOCK_SKEW, "n1"));
        assertThat(hits.get(1).message()).contains("ahead of");
    }

    @Test
    void hysteresisCountsUnbrokenPresenceAndAbsence() {
        Hysteresis h = new Hysteresis(0);
        assertThat(h.absentFor("a", 500)).as("never seen: absent since start").isEqualTo(500);
        h.observe(1000, java.util.Set.of("a"));
        h.observe(1500, java.util.Set.of("a"));
        assertThat(h.heldFor("a", 1500)).isEqualTo(500);
        assertThat(h.absentFor("a", 1500)).isZero();
        h.observe(2000, java.util.Set.of());
        assertThat(h.heldFor("a", 2000)).isEqualTo(-1);
        assertThat(h.absentFor("a", 2600)).isEqualTo(1100);
        h.observe(2700, java.util.Set.of("a"));
        assertThat(h.heldFor("a", 2700)).as("a break restarts the count").isZero();
    }

    @Test
    void settingsComeFromConfigWithPerRuleOverrides() {
        MonitorConfig c = TestConfig.of(Map.of(
                "acp.monitor.raise-delay", "2s",
                "acp.monitor.rules.poolFull.enabled", "false",
                "acp.monitor.rules.nodeDead.weight", "50",
                "acp.monitor.rules.deviceGone.severity", "critical"), MonitorConfig.class).mapping(MonitorConfig.class);
        MonitorSettings s = MonitorSettings.from(c);
        assertThat(s.raiseDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(s.clearDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.rule(Rule.POOL_FULL).enabled()).isFalse();
        assertThat(s.rule(Rule.NODE_DEAD).weight()).isEqualTo(50);
        assertThat(s.rule(Rule.DEVICE_GONE).severity()).isEqualTo(Severity.CRITICAL);
        assertThat(s.rule(Rule.SHARE_UNMOUNTED)).isEqualTo(RuleSetting.defaultOf(Rule.SHARE_UNMOUNTED));
        assertThat(MonitorSettings.from(TestConfig.of(Map.of(), MonitorConfig.class).mapping(MonitorConfig.class))).isEqualTo(MonitorSettings.defaults());
    }

    @Test
    void badRuleSettingsNameTheKey() {
        assertThatThrownBy(() -> MonitorSettings.from(TestConfig.of(Map.of("acp.monitor.rules.diskFull.weight", "5"), MonitorConfig.class)
                .mapping(MonitorConfig.class))).hasMessageContaining("acp.monitor.rules.diskFull").hasMessageContaining("poolFull");
        assertThatThrownBy(() -> MonitorSettings.from(TestConfig.of(Map.of("acp.monitor.rules.poolFull.severity", "urgent"), MonitorConfig.class)
                .mapping(MonitorConfig.class))).hasMessageContaining("acp.monitor.rules.poolFull.severity").hasMessageContaining("urgent");
        assertThatThrownBy(() -> MonitorSettings.from(TestConfig.of(Map.of("acp.monitor.rules.poolFull.weight", "500"), MonitorConfig.class)
                .mapping(MonitorConfig.class))).hasMessageContaining("acp.monitor.rules.poolFull.weight").hasMessageContaining("0..100");
        assertThatThrownBy(() -> MonitorSettings.from(TestConfig.of(Map.of("acp.monitor.interval", "0s"), MonitorConfig.class)
                .mapping(MonitorConfig.class))).hasMessageContaining("acp.monitor.interval must be positive");
        assertThatThrownBy(() -> MonitorSettings.from(TestConfig.of(Map.of("acp.monitor.clear-delay", "-1s"), MonitorConfig.class)
                .mapping(MonitorConfig.class))).hasMessageContaining("clear-delay PT-1S");
        assertThatThrownBy(() -> MonitorSettings.from(TestConfig.of(Map.of("acp.monitor.pool-near-full-percent", "96"), MonitorConfig.class)
                .mapping(MonitorConfig.class))).hasMessageContaining("acp.monitor.pool-near-full-percent");
    }
}
