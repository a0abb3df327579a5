package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.ObjectQuery;
import io.acp.model.EntryJson;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectType;
import io.smallrye.mutiny.Uni;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What list and show answer: each system's object with the report of the node it is assigned to,
 * read from the hypervisor when that is this node and from the CDB when it is another.
 */
final class SystemViews {

    private final SystemContext ctx;

    SystemViews(SystemContext ctx) {
        this.ctx = ctx;
    }

    /** The systems of the CDB and the statuses of those with a domain here, read in one trip to the hypervisor. */
    private record Listed(List<ObjectEntry> systems, Map<String, DomainStatus> here) {
    }

    /** Every system object with its report. */
    Uni<ArrayNode> list() {
        return ctx.hv().call(b -> {
            List<ObjectEntry> systems = ctx.cdb().objects(ObjectQuery.ofType(ObjectType.SYSTEM));
            Map<String, DomainStatus> here = new HashMap<>();
            try (DomainListing domains = b.listAll()) {
                for (ObjectEntry e : systems) {
                    domains.read(e.id()).ifPresent(d -> here.put(e.id(), d));
                }
            }
            return new Listed(systems, here);
        }).map(listed -> {
            ArrayNode out = Json.MAPPER.createArrayNode();
            for (ObjectEntry e : listed.systems()) {
                Optional<DomainStatus> d = Optional.ofNullable(listed.here().get(e.id()));
                ObjectNode o = out.addObject();
                o.setAll(d.isEmpty() ? ownerReport(e).orElseGet(() -> ctx.reportOf(e.id(), d)) : ctx.reportOf(e.id(), d));
                o.put("vcpus", e.spec().path("vcpus").asInt());
                o.put("memory", e.spec().path("memory").asInt());
            }
            return out;
        });
    }

    /** One system: its object entry and its report. */
    Uni<ObjectNode> show(String id) {
        ObjectEntry entry = ctx.object(id);
        Optional<ObjectNode> owner = ownerReport(entry);
        return (owner.isPresent() ? Uni.createFrom().item(owner.get()) : ctx.report(id)).map(meta -> {
            ObjectNode o = Json.object();
            o.put("id", id);
            o.set("object", EntryJson.toJson(entry));
            o.set("meta", meta);
            return o;
        });
    }

    /**
     * The report of a system assigned to another node, as that node published it in the CDB (this
     * node holds no domain of it): what list and show answer instead of "not loaded here".
     */
    private Optional<ObjectNode> ownerReport(ObjectEntry e) {
        String owner = e.spec().path("node").asText(null);
        if (owner == null || owner.equals(ctx.nodeId())) {
            return Optional.empty();
        }
        List<MetaEntry> meta = ctx.cdb().meta(e.key(), owner);
        ObjectNode o = Json.object().put("id", e.id());
        if (meta.isEmpty()) {
            o.put("state", "unknown").put("loaded", false).put("node", owner).putNull("since");
        } else {
            o.setAll(meta.get(0).values());
        }
        return Optional.of(o);
    }
}
