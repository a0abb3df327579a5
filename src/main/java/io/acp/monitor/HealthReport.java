package io.acp.monitor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The health score: 100 minus the points of every hit, at least 0. The cluster's score counts every
 * hit; a node's counts the hits that concern that node.
 */
public record HealthReport(int score, Map<String, Integer> nodes, List<Hit> hits) {

    public HealthReport {
        nodes = Map.copyOf(nodes);
        hits = List.copyOf(hits);
    }

    public static HealthReport of(List<String> nodeIds, List<Hit> hits) {
        Map<String, Integer> lost = new TreeMap<>();
        nodeIds.forEach(n -> lost.put(n, 0));
        int total = 0;
        for (Hit h : hits) {
            total += h.points();
            if (h.node() != null) {
                lost.merge(h.node(), h.points(), Integer::sum);
            }
        }
        Map<String, Integer> scores = new TreeMap<>();
        lost.forEach((n, points) -> scores.put(n, clamp(points)));
        return new HealthReport(clamp(total), scores, hits);
    }

    private static int clamp(int lost) {
        return Math.max(0, 100 - lost);
    }

    /** The stats the primary publishes: {@code health} and {@code health.<node>}. */
    public Map<String, Double> stats() {
        Map<String, Double> out = new TreeMap<>();
        out.put("health", (double) score);
        nodes.forEach((n, s) -> out.put("health." + n, (double) s));
        return out;
    }

    public static ArrayNode hitsJson(List<Hit> hits) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Hit h : hits) {
            ObjectNode o = out.addObject()
                    .put("rule", h.rule().id())
                    .put("severity", h.severity().wireName())
                    .put("points", h.points())
                    .put("subject", h.subject());
            if (h.node() != null) {
                o.put("node", h.node());
            }
            o.put("message", h.message());
            o.put("alarm", h.alarmId());
        }
        return out;
    }
}
