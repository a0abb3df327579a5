package io.acp.monitor;

import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The monitor's settings as a value: built from {@link MonitorConfig} by the service, and directly
 * by tests (with short delays). Every rule has a setting.
 */
public record MonitorSettings(Duration interval, Duration raiseDelay, Duration clearDelay, Duration lastSeenRefresh,
                              Duration clearedRetention, Duration staleStatsAfter, Duration clockSkewMax,
                              double poolNearFullPercent, double poolFullPercent, Duration errorWindow, Map<Rule, RuleSetting> rules) {

    public MonitorSettings {
        EnumMap<Rule, RuleSetting> all = new EnumMap<>(Rule.class);
        for (Rule r : Rule.values()) {
            all.put(r, rules.getOrDefault(r, RuleSetting.defaultOf(r)));
        }
        rules = Map.copyOf(all);
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("acp.monitor.interval must be positive, got " + interval);
        }
        for (Duration d : List.of(raiseDelay, clearDelay, lastSeenRefresh, clearedRetention, staleStatsAfter, clockSkewMax, errorWindow)) {
            if (d.isNegative()) {
                throw new IllegalArgumentException("acp.monitor delays and windows must not be negative, got " + d
                        + " (raise-delay " + raiseDelay + ", clear-delay " + clearDelay + ", last-seen-refresh " + lastSeenRefresh
                        + ", cleared-retention " + clearedRetention + ", stale-stats-after " + staleStatsAfter
                        + ", clock-skew-max " + clockSkewMax + ", error-window " + errorWindow + ")");
            }
        }
        if (poolNearFullPercent > poolFullPercent) {
            throw new IllegalArgumentException("acp.monitor.pool-near-full-percent (" + poolNearFullPercent
                    + ") must not exceed acp.monitor.pool-full-percent (" + poolFullPercent + ")");
        }
    }

    /** The documented defaults. */
    public static MonitorSettings defaults() {
        return new MonitorSettings(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
                Duration.ofHours(24), Duration.ofSeconds(5), Duration.ofSeconds(1), 85, 95, Duration.ofSeconds(10), Map.of());
    }

    public static MonitorSettings from(MonitorConfig c) {
        EnumMap<Rule, RuleSetting> rules = new EnumMap<>(Rule.class);
        c.rules().forEach((id, o) -> {
            Rule r;
            try {
                r = Rule.parse(id);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("acp.monitor.rules." + id + ": " + e.getMessage());
            }
            Severity severity = o.severity().map(s -> {
                try {
                    return Severity.parse(s);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("acp.monitor.rules." + id + ".severity: " + e.getMessage());
                }
            }).orElse(r.defaultSeverity());
            int weight = o.weight().orElse(r.defaultWeight());
            if (weight < 0 || weight > 100) {
                throw new IllegalArgumentException("acp.monitor.rules." + id + ".weight must be 0..100, got " + weight);
            }
            rules.put(r, new RuleSetting(o.enabled().orElse(true), weight, severity));
        });
        return new MonitorSettings(c.interval(), c.raiseDelay(), c.clearDelay(), c.lastSeenRefresh(), c.clearedRetention(),
                c.staleStatsAfter(), c.clockSkewMax(), c.poolNearFullPercent(), c.poolFullPercent(), c.errorWindow(), rules);
    }

    /** Other round and hysteresis timings (tests shorten them). */
    public MonitorSettings withTimings(Duration every, Duration raise, Duration clear) {
        return new MonitorSettings(every, raise, clear, lastSeenRefresh, clearedRetention, staleStatsAfter, clockSkewMax,
                poolNearFullPercent, poolFullPercent, errorWindow, rules);
    }

    public MonitorSettings withAlarmKeeping(Duration refresh, Duration retention) {
        return new MonitorSettings(interval, raiseDelay, clearDelay, refresh, retention, staleStatsAfter, clockSkewMax,
                poolNearFullPercent, poolFullPercent, errorWindow, rules);
    }

    public MonitorSettings withStaleStatsAfter(Duration stale) {
        return new MonitorSettings(interval, raiseDelay, clearDelay, lastSeenRefresh, clearedRetention, stale, clockSkewMax,
                poolNearFullPercent, poolFullPercent, errorWindow, rules);
    }

    public MonitorSettings withRule(Rule r, RuleSetting s) {
        EnumMap<Rule, RuleSetting> changed = new EnumMap<>(rules);
        changed.put(r, s);
        return new MonitorSettings(interval, raiseDelay, clearDelay, lastSeenRefresh, clearedRetention, staleStatsAfter, clockSkewMax,
                poolNearFullPercent, poolFullPercent, errorWindow, changed);
    }

    public RuleSetting rule(Rule r) {
        return rules.get(r);
    }
}
