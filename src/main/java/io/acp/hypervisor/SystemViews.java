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
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What list and show answer: each system's object with the report of the node it is assigned to,
 * read from the hypervisor when that is this node and from the CDB when it is another.
 */
final class SystemViews {

    private final SystemContext ctx;

    SystemViews(SystemContext ctx) {
        this.ctx = ctx;
    }

    /** The systems a list answers and the domains here, both as of its first trip to the hypervisor's thread. */
    private record Listing(List<ObjectEntry> systems, DomainListing domains) {
    }

    /** Every system object with its report. */
    Uni<ArrayNode> list() {
        return list(e -> true);
    }

    /**
     * The system objects {@code which} selects, with their reports. The domains are listed in one
     * trip to the hypervisor's thread and the systems read {@link InParts}, each domain's status
     * read in the part that reports it: on QEMU a status costs about 0.2 ms, and the ha service
     * lists every second.
     */
    Uni<ArrayNode> list(Predicate<ObjectEntry> which) {
        ArrayNode out = Json.MAPPER.createArrayNode(); // only the hypervisor's thread adds, one part after the other
        return ctx.hv().call(b -> new Listing(ctx.cdb().objects(ObjectQuery.ofType(ObjectType.SYSTEM)).stream().filter(which).toList(), b.listAll()))
                .chain(listing -> InParts.walk(ctx.hv(), listing.systems(), (b, e) -> out.add(row(b, listing.domains(), e)))
                        .onTermination().invoke(listing.domains()::close))
                .map(done -> out);
    }

    /** A list's row of system {@code e}: its report (this node's, read now, or its owner's) and its size. */
    private ObjectNode row(HypervisorBackend b, DomainListing domains, ObjectEntry e) {
        Optional<DomainStatus> d = ctx.reports().current(b, domains, e.id());
        ObjectNode o = Json.object();
        o.setAll(d.isEmpty() ? ownerReport(e).orElseGet(() -> ctx.reportOf(e.id(), d)) : ctx.reportOf(e.id(), d));
        o.put("vcpus", e.spec().path("vcpus").asInt());
        o.put("memory", e.spec().path("memory").asInt());
        return o;
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
