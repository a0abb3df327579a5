package io.acp.monitor;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.monitor.Observations.NodeFacts;
import io.acp.monitor.Observations.Reachability;
import io.acp.monitor.Observations.Report;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@link Observations} from a CDB: the nodes (node objects) with the viewer's membership view
 * of each, and the meta and stats every node reports about services, systems, storage and networks
 * (the keys docs/monitoring.md names).
 */
public final class CdbObservations {

    private static final Set<ObjectType> WATCHED = Set.of(ObjectType.SERVICE, ObjectType.SYSTEM, ObjectType.STORAGE, ObjectType.NETWORK);

    private CdbObservations() {
    }

    public static Observations read(Cdb cdb, StatsArrivals arrivals, long nowMillis, long errorWindowMillis) {
        String viewer = cdb.localNode();
        List<NodeFacts> nodes = new ArrayList<>();
        for (String id : nodeIds(cdb)) {
            nodes.add(new NodeFacts(id, reachability(cdb, viewer, id), arrivals.ageMillis(id), arrivals.offsetMillis(id)));
        }
        List<Report> reports = new ArrayList<>();
        for (ObjectEntry o : cdb.objects(ObjectQuery.all())) {
            if (!WATCHED.contains(o.type())) {
                continue;
            }
            Map<String, JsonNode> meta = new HashMap<>();
            for (MetaEntry m : cdb.meta(o.key(), null)) {
                meta.put(m.node(), m.values());
            }
            Map<String, Map<String, Double>> stats = new HashMap<>();
            for (StatsEntry s : cdb.stats(o.key(), null)) {
                stats.put(s.node(), s.values());
            }
            Set<String> reporters = new TreeSet<>(meta.keySet());
            reporters.addAll(stats.keySet());
            for (String node : reporters) {
                Map<String, Double> latest = stats.getOrDefault(node, Map.of());
                Map<String, Double> rises = latest.keySet().stream().anyMatch(HealthRules::isErrorCounter)
                        ? ErrorRises.of(cdb.statsHistory(o.key(), node), nowMillis, errorWindowMillis)
                        : Map.of();
                reports.add(new Report(o.key(), o.subtype(), node, meta.getOrDefault(node, Json.object()), latest, rises));
            }
        }
        return new Observations(viewer, nowMillis, nodes, reports);
    }

    /** Every node with a node object, sorted. */
    public static List<String> nodeIds(Cdb cdb) {
        List<String> ids = new ArrayList<>();
        for (ObjectEntry n : cdb.objects(ObjectQuery.ofType(ObjectType.NODE))) {
            ids.add(n.id());
        }
        return ids;
    }

    /** How {@code viewer} sees {@code node}: from its membership meta of {@code node/<node>}. */
    public static Reachability reachability(Cdb cdb, String viewer, String node) {
        if (viewer.equals(node)) {
            return Reachability.SELF;
        }
        List<MetaEntry> view = cdb.meta(ObjectKey.of(ObjectType.NODE, node), viewer);
        String m = view.isEmpty() ? "" : view.get(0).values().path("membership").asText("");
        return switch (m) {
            case "alive" -> Reachability.ALIVE;
            case "suspect" -> Reachability.SUSPECT;
            case "dead" -> Reachability.DEAD;
            default -> Reachability.UNKNOWN;
        };
    }
}
