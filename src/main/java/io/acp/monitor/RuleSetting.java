package io.acp.monitor;

/** How one rule counts: whether it runs, the points a hit costs, and its alarms' severity. */
public record RuleSetting(boolean enabled, int weight, Severity severity) {

    public RuleSetting {
        if (weight < 0 || weight > 100) {
            throw new IllegalArgumentException("monitor rule weight must be 0..100, got " + weight);
        }
    }

    public static RuleSetting defaultOf(Rule r) {
        return new RuleSetting(true, r.defaultWeight(), r.defaultSeverity());
    }
}
