package io.acp.monitor;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** The monitor's settings: evaluation period, alarm hysteresis, rule thresholds and per-rule overrides. */
@ConfigMapping(prefix = "acp.monitor")
public interface MonitorConfig {

    /** How often the rules are evaluated, the election is run and health is published. */
    @WithDefault("1s")
    Duration interval();

    /** A condition must hold this long before its alarm is raised (no alarm for a blip). */
    @WithDefault("5s")
    Duration raiseDelay();

    /** A condition must be gone this long before its alarm is cleared (no flapping). */
    @WithDefault("10s")
    Duration clearDelay();

    /** How often the primary refreshes {@code lastSeen} of an alarm that still holds (each refresh is a journaled write). */
    @WithDefault("30s")
    Duration lastSeenRefresh();

    /** Cleared alarms are deleted after this long. */
    @WithDefault("24h")
    Duration clearedRetention();

    /** A node whose stats have not arrived for this long (about five 1 s stats intervals) has stale stats. */
    @WithDefault("5s")
    Duration staleStatsAfter();

    /** Largest tolerated difference between a node's wall clock and the cluster's median clock. */
    @WithDefault("1s")
    Duration clockSkewMax();

    /** A pool whose usedPercent reaches this is near full (also when its meta says nearFull). */
    @WithDefault("85")
    double poolNearFullPercent();

    /** A pool whose usedPercent reaches this is full (also when its meta says full). */
    @WithDefault("95")
    double poolFullPercent();

    /** Interface error counters (rxErrors, txErrors) that rose within this window raise interfaceErrors. */
    @WithDefault("10s")
    Duration errorWindow();

    /** Per-rule overrides by rule id (nodeDead, poolFull, …): enabled, weight, severity. */
    Map<String, RuleOverride> rules();

    interface RuleOverride {
        /** False turns the rule off: no points, no alarm. */
        Optional<Boolean> enabled();

        /** Points the rule takes off the score per hit. */
        OptionalInt weight();

        /** Severity of the rule's alarms: critical, major, minor or warning. */
        Optional<String> severity();
    }
}
