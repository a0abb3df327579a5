package io.acp.monitor;

/**
 * The health rules, each with its default weight (points taken off the score per hit) and the
 * severity of its alarm. docs/monitoring.md describes each; weights and severities are configurable
 * per rule ({@code acp.monitor.rules.<id>.*}).
 */
public enum Rule {
    NODE_DEAD("nodeDead", 30, Severity.CRITICAL),
    NODE_SUSPECT("nodeSuspect", 10, Severity.MAJOR),
    STATS_STALE("statsStale", 10, Severity.MAJOR),
    CLOCK_SKEW("clockSkew", 5, Severity.MAJOR),
    SERVICE_FAILED("serviceFailed", 10, Severity.MAJOR),
    SERVICE_UNHEALTHY("serviceUnhealthy", 3, Severity.WARNING),
    SYSTEM_FAILED("systemFailed", 5, Severity.MAJOR),
    VMM_UNRESPONSIVE("vmmUnresponsive", 5, Severity.MAJOR),
    POOL_FULL("poolFull", 15, Severity.CRITICAL),
    POOL_NEAR_FULL("poolNearFull", 5, Severity.MINOR),
    POOL_UNAVAILABLE("poolUnavailable", 10, Severity.MAJOR),
    DEVICE_GONE("deviceGone", 10, Severity.MAJOR),
    SHARE_UNMOUNTED("shareUnmounted", 5, Severity.MAJOR),
    NETWORK_DOWN("networkDown", 5, Severity.MAJOR),
    INTERFACE_ERRORS("interfaceErrors", 3, Severity.MINOR);

    private final String id;
    private final int defaultWeight;
    private final Severity defaultSeverity;

    Rule(String id, int defaultWeight, Severity defaultSeverity) {
        this.id = id;
        this.defaultWeight = defaultWeight;
        this.defaultSeverity = defaultSeverity;
    }

    /** The rule's name in configuration, alarm ids and reports (camelCase). */
    public String id() {
        return id;
    }

    public int defaultWeight() {
        return defaultWeight;
    }

    public Severity defaultSeverity() {
        return defaultSeverity;
    }

    /** True for rules about a node's reachability, which are raised exactly when the node cannot be observed. */
    public boolean aboutReachability() {
        return this == NODE_DEAD || this == NODE_SUSPECT;
    }

    public static Rule parse(String id) {
        for (Rule r : values()) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        throw new IllegalArgumentException("monitor rule '" + id + "' does not exist; rules: " + java.util.Arrays.stream(values()).map(Rule::id).toList());
    }
}
