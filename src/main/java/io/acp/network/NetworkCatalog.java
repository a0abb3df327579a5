package io.acp.network;

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
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster's networks as CDB objects: create (validated against the uplinks each node
 * reports), list, show and delete. Needs only the CDB, so any node can answer; the nodes that
 * realise a network see the change and reconcile.
 */
public final class NetworkCatalog {

    private final Cdb cdb;

    public NetworkCatalog(Cdb cdb) {
        this.cdb = cdb;
    }

    public Uni<JsonNode> create(String id, String subtype, JsonNode specJson) {
        ObjectKey key = key(id);
        NetworkSpec spec = NetworkSpec.parse(id, subtype, specJson);
        if (cdb.object(key).isPresent()) {
            throw new AcpException(ErrorCode.CONFLICT, "network " + id + " already exists; delete it first or choose another name");
        }
        if (spec.kind() == NetworkSpec.Kind.VXLAN) {
            refuseDuplicateVni(spec);
        }
        if (spec.kind() != NetworkSpec.Kind.VPP_VLAN) {
            checkUplinks(spec);
        }
        return cdb.writer().putObject(key, subtype, spec.toJson(), Cdb.ABSENT)
                .onFailure(AcpException.class).transform(f -> ((AcpException) f).code() == ErrorCode.CONFLICT
                        ? new AcpException(ErrorCode.CONFLICT, "network " + id + " already exists (created concurrently)") : f)
                .map(this::describe);
    }

    /** A VNI names one overlay: two networks with one VNI would be one broadcast domain. */
    private void refuseDuplicateVni(NetworkSpec spec) {
        for (ObjectEntry e : cdb.objects(ObjectQuery.ofType(ObjectType.NETWORK))) {
            if (NetworkSpec.Kind.VXLAN.wireName.equals(e.subtype()) && e.spec().path("vni").asInt() == spec.vxlan().vni()) {
                throw Vxlan.duplicate(spec.id(), spec.vxlan().vni(), e.id());
            }
        }
    }

    /** Every node that will realise the network must report the uplink (a vxlan network's underlay) among its uplinks. */
    private void checkUplinks(NetworkSpec spec) {
        List<String> nodes = spec.nodes().isEmpty() ? reportingNodes() : spec.nodes();
        for (String node : nodes) {
            JsonNode uplinks = reportedUplinks(node);
            if (uplinks == null) {
                throw AcpException.badRequest("network " + spec.id() + ": node " + node + " has not reported its uplinks"
                        + " (does it run the network service?)");
            }
            List<String> names = new ArrayList<>();
            uplinks.forEach(u -> names.add(u.asText()));
            if (!names.contains(spec.uplink())) {
                throw AcpException.badRequest("network " + spec.id() + ": unknown uplink " + spec.uplink() + " on node " + node
                        + (names.isEmpty() ? "; it has no uplinks" : "; it has " + String.join(", ", names)));
            }
        }
    }

    private List<String> reportingNodes() {
        List<String> nodes = new ArrayList<>();
        for (ObjectEntry s : cdb.objects(ObjectQuery.ofType(ObjectType.SERVICE))) {
            if ("network".equals(s.subtype()) && reportedUplinks(s.spec().path("node").asText()) != null) {
                nodes.add(s.spec().path("node").asText());
            }
        }
        return nodes;
    }

    private JsonNode reportedUplinks(String node) {
        try {
            ObjectKey k = new ObjectKey(ObjectType.SERVICE, node + ":network");
            return cdb.meta(k, node).stream().map(m -> m.values().get("uplinks")).filter(u -> u != null && u.isArray()).findFirst().orElse(null);
        } catch (IllegalArgumentException badNodeId) {
            return null;
        }
    }

    public JsonNode list() {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (ObjectEntry e : cdb.objects(ObjectQuery.ofType(ObjectType.NETWORK))) {
            out.add(describe(e));
        }
        return out;
    }

    public JsonNode show(String id) {
        ObjectEntry e = cdb.object(key(id)).orElseThrow(() -> unknown(id));
        ObjectNode d = describe(e);
        ObjectNode stats = d.putObject("stats");
        for (StatsEntry s : cdb.stats(e.key(), null)) {
            ObjectNode values = stats.putObject(s.node());
            s.values().forEach(values::put);
        }
        return d;
    }

    public Uni<JsonNode> delete(String id) {
        ObjectKey key = key(id);
        if (cdb.object(key).isEmpty()) {
            throw unknown(id);
        }
        refuseWhileInUse(id);
        return cdb.writer().deleteObject(key).map(e -> Json.object().put("id", id).put("deleted", true));
    }

    /**
     * A running system with a NIC on the network would lose its link: name it and refuse. Systems
     * that are stopped keep their NIC in the spec and fail to start until it is changed.
     */
    private void refuseWhileInUse(String id) {
        for (ObjectEntry system : cdb.objects(new ObjectQuery(ObjectType.SYSTEM, null, null, null, false))) {
            boolean onIt = false;
            for (JsonNode nic : system.spec().path("interfaces")) {
                onIt |= id.equals(nic.path("network").asText(null));
            }
            if (!onIt) {
                continue;
            }
            for (MetaEntry m : cdb.meta(system.key(), null)) {
                if ("running".equals(m.values().path("state").asText())) {
                    throw new AcpException(ErrorCode.CONFLICT, "network " + id + " is in use: system " + system.id() + " runs on node " + m.node()
                            + " with a NIC on it; stop the system or remove its NIC first");
                }
            }
        }
    }

    /** Id, subtype, spec and every node's meta ({@code nodes: {n1: {...}}}). */
    private ObjectNode describe(ObjectEntry e) {
        ObjectNode d = Json.object().put("id", e.id()).put("subtype", e.subtype());
        d.set("spec", e.spec().deepCopy());
        ObjectNode nodes = d.putObject("nodes");
        for (MetaEntry m : cdb.meta(e.key(), null)) {
            nodes.set(m.node(), m.values().deepCopy());
        }
        return d;
    }

    private static AcpException unknown(String id) {
        return new AcpException(ErrorCode.NOT_FOUND, "unknown network " + id + "; see 'acp network list'");
    }

    static ObjectKey key(String id) {
        try {
            return new ObjectKey(ObjectType.NETWORK, id);
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest("network: " + e.getMessage());
        }
    }
}
