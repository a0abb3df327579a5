package io.acp.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.monitor.Observations.Reachability;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the API answers about health and alarms, read from any node's CDB: the health that the
 * primary monitor published, and the alarm objects. Works on every node, monitor or not.
 */
public final class MonitorQueries {

    private MonitorQueries() {
    }

    /** A monitor that says it is primary, and the term it says it is primary in. */
    public record Primary(String node, long term, JsonNode meta) {
    }

    /**
     * The primary this node sees: of the monitors publishing {@code role: primary} whose node this
     * node can reach (itself, or alive in its view; every node without sync), the highest term, then
     * the lowest id. Empty while no monitor runs or all primaries are cut off.
     */
    public static Optional<Primary> primary(Cdb cdb) {
        Primary best = null;
        for (ObjectEntry s : cdb.objects(new ObjectQuery(ObjectType.SERVICE, "monitor", null, null, false))) {
            String node = Monitor.monitorNode(s);
            if (node == null || !CdbObservations.reachability(cdb, cdb.localNode(), node).observable()) {
                continue;
            }
            List<MetaEntry> meta = cdb.meta(s.key(), node);
            if (meta.isEmpty() || !meta.get(0).values().path(Monitor.ROLE).asText("").equals("primary")) {
                continue;
            }
            Primary p = new Primary(node, meta.get(0).values().path(Monitor.TERM).asLong(0), meta.get(0).values());
            if (best == null || p.term() > best.term() || (p.term() == best.term() && p.node().compareTo(best.node()) < 0)) {
                best = p;
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code {primary, term, score, nodes: {node: score}, hits: [...], at}} from the primary's stats and meta. */
    public static ObjectNode health(Cdb cdb) {
        Primary p = primary(cdb).orElseThrow(() -> new AcpException(ErrorCode.UNAVAILABLE, "node " + cdb.localNode()
                + " sees no primary monitor: run the monitor service on at least one node (add 'monitor' to acp.node.services)"
                + " and check that node is alive in this node's membership view"));
        List<StatsEntry> stats = cdb.stats(Monitor.serviceKey(p.node()), p.node());
        if (stats.isEmpty() || !stats.get(0).values().containsKey("health")) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "primary monitor " + p.node() + " has not published health yet; try again in a second");
        }
        Map<String, Double> values = stats.get(0).values();
        ObjectNode out = Json.object()
                .put("primary", p.node())
                .put("term", p.term())
                .put("score", values.get("health").intValue());
        ObjectNode nodes = out.putObject("nodes");
        new java.util.TreeMap<>(values).forEach((k, v) -> {
            if (k.startsWith("health.")) {
                nodes.put(k.substring("health.".length()), v.intValue());
            }
        });
        JsonNode hits = p.meta().get(Monitor.HITS);
        out.set("hits", hits != null && hits.isArray() ? hits.deepCopy() : Json.MAPPER.createArrayNode());
        out.put("at", Instant.ofEpochMilli(stats.get(0).version().millis()).toString());
        return out;
    }

    /** Alarm objects, active ones only unless {@code all}; most severe first, then oldest first. */
    public static ArrayNode alarms(Cdb cdb, boolean all) {
        List<ObjectNode> rows = new ArrayList<>();
        for (ObjectEntry e : cdb.objects(ObjectQuery.ofType(ObjectType.ALARM))) {
            Alarm a;
            try {
                a = Alarm.fromJson(e.spec());
            } catch (IllegalArgumentException bad) {
                continue;
            }
            if (all || a.state().active()) {
                ObjectNode row = Json.object().put("id", e.id());
                row.setAll(a.toJson());
                rows.add(row);
            }
        }
        rows.sort(Comparator.comparing((ObjectNode r) -> Severity.parse(r.path("severity").asText()).ordinal())
                .thenComparing(r -> r.path("firstSeen").asText())
                .thenComparing(r -> r.path("id").asText()));
        ArrayNode out = Json.MAPPER.createArrayNode();
        rows.forEach(out::add);
        return out;
    }

    /**
     * Acknowledges an active alarm; it stays acknowledged until the primary clears it. Acknowledging
     * an acknowledged alarm changes nothing; a cleared one is a CONFLICT.
     */
    public static Uni<JsonNode> ack(Cdb cdb, String id, String by) {
        ObjectKey key;
        try {
            key = ObjectKey.of(ObjectType.ALARM, id);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(AcpException.badRequest("ack: " + e.getMessage()));
        }
        Optional<ObjectEntry> e = cdb.object(key);
        if (e.isEmpty()) {
            return Uni.createFrom().failure(AcpException.notFound("alarm " + id + " (list them with 'acp alarms --all')"));
        }
        Alarm a;
        try {
            a = Alarm.fromJson(e.get().spec());
        } catch (IllegalArgumentException bad) {
            return Uni.createFrom().failure(new AcpException(ErrorCode.CONFLICT, "alarm/" + id + " is not a valid alarm: " + bad.getMessage()));
        }
        if (a.state() == Alarm.State.CLEARED) {
            return Uni.createFrom().failure(new AcpException(ErrorCode.CONFLICT, "alarm " + id + " was cleared at " + a.clearedAt()
                    + "; only raised alarms can be acknowledged"));
        }
        if (a.state() == Alarm.State.ACKNOWLEDGED) {
            return Uni.createFrom().item(row(id, a));
        }
        Alarm acked = a.acknowledged(by);
        return cdb.putObject(key, null, acked.toJson(), e.get().version())
                .map(written -> row(id, acked));
    }

    private static JsonNode row(String id, Alarm a) {
        ObjectNode row = Json.object().put("id", id);
        row.setAll(a.toJson());
        return row;
    }
}
