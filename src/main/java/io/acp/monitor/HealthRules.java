package io.acp.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.ObjectType;
import io.acp.monitor.Observations.NodeFacts;
import io.acp.monitor.Observations.Reachability;
import io.acp.monitor.Observations.Report;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The health rules as pure functions of {@link Observations}: each returns the hits it finds.
 * Reports of nodes the viewer cannot observe (suspect or dead) are not judged: they are stale, and
 * the node's own nodeSuspect/nodeDead hit stands for them.
 */
public final class HealthRules {

    private HealthRules() {
    }

    /** Every enabled rule's hits, in rule order then subject order. */
    public static List<Hit> evaluate(Observations o, MonitorSettings s) {
        List<Hit> hits = new ArrayList<>();
        Emit emit = (rule, subject, node, message) -> {
            RuleSetting set = s.rule(rule);
            if (set.enabled()) {
                hits.add(new Hit(rule, set.severity(), set.weight(), subject, node, message));
            }
        };
        nodes(o, s, emit);
        double median = medianOffset(o.nodes());
        for (NodeFacts n : o.nodes()) {
            clockSkew(n, median, s, emit);
        }
        Map<String, Reachability> reach = new java.util.HashMap<>();
        o.nodes().forEach(n -> reach.put(n.id(), n.reachability()));
        for (Report r : o.reports()) {
            // a reporter that is not a known node yet: nothing says it is gone
            if (reach.getOrDefault(r.node(), Reachability.UNKNOWN).observable()) {
                report(r, s, emit);
            }
        }
        hits.sort(java.util.Comparator.comparing((Hit h) -> h.rule().ordinal()).thenComparing(Hit::subject)
                .thenComparing(h -> h.node() == null ? "" : h.node()));
        return hits;
    }

    /** Where a hit is recorded. */
    @FunctionalInterface
    interface Emit {
        void hit(Rule rule, String subject, String node, String message);
    }

    static boolean observable(Observations o, String node) {
        for (NodeFacts n : o.nodes()) {
            if (n.id().equals(node)) {
                return n.reachability().observable();
            }
        }
        return true; // a reporter that is not a known node yet: nothing says it is gone
    }

    static void nodes(Observations o, MonitorSettings s, Emit emit) {
        long staleMillis = s.staleStatsAfter().toMillis();
        for (NodeFacts n : o.nodes()) {
            String subject = "node/" + n.id();
            switch (n.reachability()) {
                case DEAD -> emit.hit(Rule.NODE_DEAD, subject, n.id(), "node " + n.id() + " is dead in the membership view of " + o.viewer());
                case SUSPECT -> emit.hit(Rule.NODE_SUSPECT, subject, n.id(), "node " + n.id() + " is suspect in the membership view of " + o.viewer());
                default -> {
                    if (n.statsAgeMillis() != null && n.statsAgeMillis() > staleMillis) {
                        emit.hit(Rule.STATS_STALE, subject, n.id(), "stats of node " + n.id() + " have not arrived at " + o.viewer()
                                + " for more than " + seconds(staleMillis) + " s");
                    }
                }
            }
        }
    }

    /** The median clock offset of the observable nodes with a measured offset (the cluster's "true" time); 0 if none. */
    static double medianOffset(List<NodeFacts> nodes) {
        List<Double> offsets = new ArrayList<>();
        for (NodeFacts n : nodes) {
            if (n.reachability().observable() && n.clockOffsetMillis() != null) {
                offsets.add(n.clockOffsetMillis());
            }
        }
        if (offsets.isEmpty()) {
            return 0;
        }
        offsets.sort(null);
        int mid = offsets.size() / 2;
        return offsets.size() % 2 == 1 ? offsets.get(mid) : (offsets.get(mid - 1) + offsets.get(mid)) / 2;
    }

    static void clockSkew(NodeFacts n, double median, MonitorSettings s, Emit emit) {
        if (!n.reachability().observable() || n.clockOffsetMillis() == null) {
            return;
        }
        double skew = n.clockOffsetMillis() - median;
        if (Math.abs(skew) > s.clockSkewMax().toMillis()) {
            emit.hit(Rule.CLOCK_SKEW, "node/" + n.id(), n.id(), "clock of node " + n.id() + " is " + (skew > 0 ? "ahead of" : "behind")
                    + " the cluster's median by more than " + seconds(s.clockSkewMax().toMillis()) + " s");
        }
    }

    static void report(Report r, MonitorSettings s, Emit emit) {
        String subject = r.key().toString();
        String state = r.state();
        String on = " on node " + r.node();
        switch (r.key().type()) {
            case SERVICE -> {
                if (state.equals("failed")) {
                    emit.hit(Rule.SERVICE_FAILED, subject, r.node(), "service " + r.key().id() + " failed" + problem(r, "lastError"));
                } else if (state.equals("running") && r.meta().has("healthy") && !r.meta().path("healthy").asBoolean(true)) {
                    emit.hit(Rule.SERVICE_UNHEALTHY, subject, r.node(), "service " + r.key().id() + " is unhealthy" + problem(r, "detail"));
                }
            }
            case SYSTEM -> {
                JsonNode vmm = r.meta().path("vmm");
                if (state.equals("failed")) {
                    emit.hit(Rule.SYSTEM_FAILED, subject, r.node(), "system " + r.key().id() + " failed" + on);
                } else if (vmm.path("state").asText("").equals("unresponsive")) {
                    emit.hit(Rule.VMM_UNRESPONSIVE, subject, r.node(), "the VMM of system " + r.key().id() + on + " (pid "
                            + vmm.path("pid").asText("?") + ") does not answer its monitor: stopped, or stuck on its storage?");
                }
            }
            case STORAGE -> storage(r, s, subject, on, emit);
            case NETWORK -> {
                if (state.equals("down") || state.equals("failed")) {
                    emit.hit(Rule.NETWORK_DOWN, subject, r.node(), "network " + r.key().id() + " is " + state + on + problem(r, "problem"));
                }
            }
            default -> { }
        }
        if (r.key().type() == ObjectType.NETWORK || r.key().type() == ObjectType.SERVICE) {
            interfaceErrors(r, subject, emit);
        }
    }

    static void storage(Report r, MonitorSettings s, String subject, String on, Emit emit) {
        String state = r.state();
        String id = r.key().id();
        switch (r.subtype() == null ? "" : r.subtype()) {
            case "pool" -> {
                Double used = r.stats().get("usedPercent");
                if (state.equals("unavailable")) {
                    emit.hit(Rule.POOL_UNAVAILABLE, subject, r.node(), "pool " + id + " is unavailable" + on + problem(r, "problem"));
                } else if (state.equals("full") || (used != null && used >= s.poolFullPercent())) {
                    emit.hit(Rule.POOL_FULL, subject, r.node(), "pool " + id + " is full" + on + percent(used));
                } else if (state.equals("nearFull") || (used != null && used >= s.poolNearFullPercent())) {
                    emit.hit(Rule.POOL_NEAR_FULL, subject, r.node(), "pool " + id + " is nearly full" + on + percent(used));
                }
            }
            case "device" -> {
                if (state.equals("gone")) {
                    emit.hit(Rule.DEVICE_GONE, subject, r.node(), "device " + id + " is gone" + on);
                }
            }
            case "share" -> {
                if (state.equals("unmounted") || state.equals("failed")) {
                    emit.hit(Rule.SHARE_UNMOUNTED, subject, r.node(), "share " + id + " is " + state + on + problem(r, "problem"));
                }
            }
            default -> { }
        }
    }

    /** Error counters that rose within the window; one hit per report, naming the counters. */
    static void interfaceErrors(Report r, String subject, Emit emit) {
        List<String> rising = new ArrayList<>();
        for (Map.Entry<String, Double> e : new java.util.TreeMap<>(r.rises()).entrySet()) {
            if (isErrorCounter(e.getKey()) && e.getValue() > 0) {
                rising.add(e.getKey());
            }
        }
        if (!rising.isEmpty()) {
            emit.hit(Rule.INTERFACE_ERRORS, subject, r.node(), "interface errors rising on " + subject + " on node " + r.node() + ": " + String.join(", ", rising));
        }
    }

    /** {@code rxErrors}, {@code txErrors}, and per-interface {@code <nic>.rxErrors}. */
    public static boolean isErrorCounter(String key) {
        return key.equals("rxErrors") || key.equals("txErrors") || key.endsWith(".rxErrors") || key.endsWith(".txErrors");
    }

    private static String problem(Report r, String field) {
        String p = r.meta().path(field).asText("");
        return p.isEmpty() || p.equals("null") ? "" : ": " + p;
    }

    /** Whole percents, so the message (and the published report) does not change with every byte written. */
    private static String percent(Double used) {
        return used == null ? "" : " (" + Math.round(Math.floor(used)) + " % used)";
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f", millis / 1000.0).replaceAll("\\.0$", "");
    }
}
