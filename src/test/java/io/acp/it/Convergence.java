package io.acp.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Compares what the nodes hold: alarm objects by id, with version and spec. */
final class Convergence {

    private Convergence() {
    }

    /** Waits until every node holds every acked id and all hold the same objects; returns the ms it took. */
    static long await(List<NodeProcess> nodes, Set<String> acked, Duration limit) throws InterruptedException {
        long start = System.nanoTime();
        String[] why = {"not polled"};
        until(limit, () -> {
            why[0] = difference(nodes, acked);
            return why[0] == null;
        }, () -> "convergence: " + why[0]);
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    interface Check {
        boolean ok() throws Exception;
    }

    static void until(Duration limit, Check check, Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            try {
                if (check.ok()) {
                    return;
                }
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not within " + limit + ": " + what.get() + " (last error: " + e + ")", e);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + limit + ": " + what.get());
            }
            Thread.sleep(25);
        }
    }

    /** Null when converged, else what differs. */
    static String difference(List<NodeProcess> nodes, Set<String> acked) throws Exception {
        Map<String, String> first = null;
        for (NodeProcess node : nodes) {
            Map<String, String> objects = objects(node);
            List<String> missing = acked.stream().filter(id -> !objects.containsKey(id)).limit(5).toList();
            if (!missing.isEmpty()) {
                return node.id() + " lacks acknowledged writes, e.g. " + missing;
            }
            if (first == null) {
                first = objects;
            } else if (!first.equals(objects)) {
                return nodes.get(0).id() + " holds " + first.size() + " objects, " + node.id() + " " + objects.size() + " or other versions";
            }
        }
        return null;
    }

    /** Id to "version spec" of a node's alarm objects. */
    static Map<String, String> objects(NodeProcess node) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (ApiClient api = node.client()) {
            for (JsonNode e : api.call("cluster", "list", Json.object().put("type", "alarm"))) {
                out.put(e.path("id").asText(), e.path("version").asText() + " " + e.path("spec"));
            }
        }
        return out;
    }
}
