package io.acp.network;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The node's NICs and uplinks, reported on {@code service/<node>:network}: meta {@code nics},
 * {@code uplinks} and {@code namespace}, stats {@code <nic>.rxBytes} ... (docs/network.md, "Meta and stats").
 *
 * <p>The framework writes the same meta entry (state, healthy...) whenever the service's state
 * changes. Both sides change only their own fields, through the CDB's atomic
 * {@link Cdb#updateMeta}, so neither drops the other's.
 */
final class NicReport {

    private final String nodeId;
    private final Cdb cdb;
    private final ObjectKey key;
    private final Optional<String> namespace;
    private ObjectNode fields = Json.object();
    private List<String> nicNames = List.of();

    NicReport(String nodeId, Cdb cdb, Optional<String> namespace) {
        this.nodeId = nodeId;
        this.cdb = cdb;
        this.key = new ObjectKey(ObjectType.SERVICE, nodeId + ":network");
        this.namespace = namespace;
    }

    /** Rebuilds the NIC list (with speeds, which cost a command) and merges it into the meta. */
    void reportMeta(List<Link> links, Function<Map<String, Link>, List<String>> uplinks, LinkBackend kernel) {
        Map<String, Link> byName = BridgeNetworks.byName(links);
        List<String> ups = uplinks.apply(byName);
        List<Link> nics = links.stream().filter(l -> l.nic() || ups.contains(l.name())).toList();
        Map<String, Long> speeds = kernel.speeds(nics.stream().filter(Link::up).map(Link::name).toList());
        ObjectNode f = Json.object();
        ArrayNode list = f.putArray("nics");
        for (Link l : nics) {
            ObjectNode n = list.addObject().put("name", l.name()).put("mac", l.mac());
            Long speed = speeds.get(l.name());
            if (speed != null && speed > 0) {
                n.put("speedMbps", speed);
            } else {
                n.putNull("speedMbps");
            }
            n.put("link", l.up() ? "up" : "down").put("mtu", l.mtu());
        }
        ArrayNode u = f.putArray("uplinks");
        ups.forEach(u::add);
        f.put("namespace", namespace.orElse(""));
        fields = f;
        nicNames = nics.stream().map(Link::name).toList();
        merge();
    }

    void reportStats(Map<String, Link> links, LinkBackend kernel) {
        Map<String, Double> stats = new LinkedHashMap<>();
        for (String name : nicNames) {
            Link l = links.get(name);
            if (l != null) {
                l.counters().putInto(stats, name + ".");
            }
        }
        if (!stats.isEmpty()) {
            cdb.putStats(key, stats);
        }
        merge();
    }

    private void merge() {
        // The framework writes this entry's state fields; ours are added atomically beside them.
        cdb.updateMeta(key, values -> values.setAll(fields));
    }
}
