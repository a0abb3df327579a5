package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.protocol.AcpException;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code hypervisor.set}: changes fields of a system's spec on the node it is assigned to. The new
 * spec is checked whole, then written only if the object is still at the version it was read at.
 * A running or paused system keeps its domain as it is: libvirt's live changes (memory balloon,
 * vCPU and device hot-plug) are not used yet, so every change to such a system is pending and
 * applies when it next starts (a stopped domain is redefined from the spec at every start). A
 * stopped system gets the change at its next start too, which is the first time it matters.
 */
final class SystemEdits {

    /** What set may change; {@code node} is the migration's, {@code id} is the object's name. */
    static final Set<String> FIELDS = Set.of("name", "vcpus", "memory", "disks", "interfaces", "boot", "autostart", "backup");
    /** Fields the node acts on as soon as they are stored, not at the domain's next start. */
    private static final Set<String> AT_ONCE = Set.of("backup");

    private final SystemContext ctx;
    private final Assignment assignment;

    SystemEdits(SystemContext ctx, Assignment assignment) {
        this.ctx = ctx;
        this.assignment = assignment;
    }

    Uni<ObjectNode> set(String id, JsonNode changes) {
        if (changes == null || !changes.isObject() || changes.isEmpty()) {
            throw AcpException.badRequest("set system " + id + ": give at least one field to change, of " + new java.util.TreeSet<>(FIELDS));
        }
        ObjectEntry entry = ctx.object(id);
        SystemSpec current = SystemSpec.parse(id, entry.spec());
        assignment.requireHere(current, "change");
        ObjectNode merged = current.toJson();
        List<String> changed = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = changes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getKey().equals("node")) {
                throw AcpException.badRequest("set system " + id + ": 'node' is changed by moving the system (acp system migrate " + id + " NODE)");
            }
            if (!FIELDS.contains(f.getKey())) {
                throw AcpException.badRequest("set system " + id + ": '" + f.getKey() + "' is not a field set may change; fields are "
                        + new java.util.TreeSet<>(FIELDS));
            }
            if (!f.getValue().equals(merged.get(f.getKey()))) {
                changed.add(f.getKey());
            }
            merged.set(f.getKey(), f.getValue());
        }
        SystemSpec next = SystemSpec.parse(id, merged); // the whole spec checked, as a create checks it
        if (changed.isEmpty()) {
            return ctx.report(id).map(report -> answer(report, changed, false));
        }
        return ctx.cdb().writer().putObject(SystemReports.key(id), null, next.toJson(), entry.version())
                .chain(written -> ctx.report(id))
                .map(report -> answer(report, changed, !"stopped".equals(report.path("state").asText())));
    }

    private static ObjectNode answer(ObjectNode report, List<String> changed, boolean live) {
        ObjectNode o = Json.object();
        o.setAll(report);
        var c = o.putArray("changed");
        changed.forEach(c::add);
        var p = o.putArray("pending");
        changed.stream().filter(f -> !AT_ONCE.contains(f)).forEach(p::add);
        o.put("applies", changed.isEmpty() ? "nothing changed"
                : p.isEmpty() ? "now"
                : live ? "at the next start: the system is " + report.path("state").asText() + "; stop and start it (or restart) to apply"
                : "at the next start");
        return o;
    }
}
