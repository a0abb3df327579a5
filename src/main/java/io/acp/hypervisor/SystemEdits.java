package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.protocol.AcpException;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code hypervisor.set}: changes fields of a system's spec on the node it is assigned to. The new
 * spec is checked whole, then written only if the object is still at the version it was read at.
 * A stopped system gets every change at its next start (its domain is redefined from the spec at
 * every start), the first time it matters. A running system gets what libvirt can change live:
 * its memory through the balloon and its online vCPUs through hot-plug, each up to the maximum the
 * domain was started with ({@code maxMemory}, {@code maxVcpus}), and disks and NICs added at or
 * removed from the end of their lists through device hot-plug ({@link HotPlug}). Every other change to it (and one
 * above a maximum, or one libvirt refuses) is pending until it next starts. The answer says, field by
 * field, which; this node's meta of the system lists the pending fields until the domain's next start.
 */
final class SystemEdits {

    /** What set may change; {@code node} is the migration's, {@code id} is the object's name. */
    static final Set<String> FIELDS = Set.of("name", "vcpus", "memory", "maxVcpus", "maxMemory", "disks", "interfaces", "boot", "autostart", "backup");
    /** Fields the node acts on as soon as they are stored, not at the domain's next start. */
    private static final Set<String> AT_ONCE = Set.of("backup");
    /** Fields libvirt can change on a running domain, within its maxima. */
    private static final Set<String> LIVE = Set.of("vcpus", "memory");

    /** How one changed field took effect: {@code live} (now) or {@code pending} (at the next start), and why. */
    record Outcome(boolean live, String why) {

        static Outcome now(String why) {
            return new Outcome(true, why);
        }

        static Outcome pending(String why) {
            return new Outcome(false, why);
        }
    }

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
            JsonNode before = merged.get(f.getKey());
            if (!f.getValue().equals(before) && !(f.getValue().isNull() && before == null)) {
                changed.add(f.getKey());
            }
            if (f.getValue().isNull()) {
                merged.remove(f.getKey()); // null clears an optional field (backup, maxVcpus, maxMemory)
            } else {
                merged.set(f.getKey(), f.getValue());
            }
        }
        // the whole spec checked, as a create checks it; an interface added without a MAC gets one in
        // the spec, as at create, so its hot-plug and every later definition of the domain agree
        SystemSpec next = SystemSpec.parse(id, merged).withMacsFrom(current.interfaces().size(), SystemSpec.Nic::randomMac);
        if (changed.isEmpty()) {
            return ctx.report(id).map(report -> answer(report, changed, Map.of()));
        }
        return ctx.cdb().writer().putObject(SystemReports.key(id), null, next.toJson(), entry.version())
                .chain(written -> ctx.hv().call(b -> {
                    Map<String, Outcome> outcomes = outcomes(b, id, current, next, changed, this::resolved);
                    ctx.reports().notePending(id, fields(outcomes, false), fields(outcomes, true));
                    return outcomes;
                }))
                .chain(outcomes -> ctx.report(id).map(report -> answer(report, changed, outcomes)));
    }

    /**
     * On the hypervisor's thread: applies to a running domain what libvirt can change live, and says
     * for every changed field how it took effect.
     */
    private static Map<String, Outcome> outcomes(HypervisorBackend b, String id, SystemSpec before, SystemSpec next, List<String> changed,
            java.util.function.UnaryOperator<SystemSpec> resolve) {
        Map<String, Outcome> out = new LinkedHashMap<>();
        String state = b.status(id).map(s -> s.state().wireName()).orElse(SystemState.STOPPED.wireName());
        boolean running = SystemState.RUNNING.wireName().equals(state);
        LiveMaxima max = running && changed.stream().anyMatch(LIVE::contains) ? b.liveMaxima(id) : null;
        for (String field : changed) {
            if (AT_ONCE.contains(field)) {
                out.put(field, Outcome.now("the node acts on it as soon as it is stored"));
            } else if (!running) {
                out.put(field, Outcome.pending("the system is " + state + "; it applies when the system next starts"));
            } else if (field.equals("vcpus")) {
                out.put(field, next.vcpus() > max.vcpus()
                        ? Outcome.pending("above the maximum of " + max.vcpus() + " vCPUs defined at start (maxVcpus); it applies at the next start")
                        : live(field, () -> b.setVcpusLive(id, next.vcpus())));
            } else if (field.equals("memory")) {
                out.put(field, next.memoryMiB() > max.memoryMiB()
                        ? Outcome.pending("above the maximum of " + max.memoryMiB() + " MiB defined at start (maxMemory); it applies at the next start")
                        : live(field, () -> b.setMemoryLive(id, next.memoryMiB())));
            } else if (field.equals("disks") || field.equals("interfaces")) {
                out.put(field, HotPlug.outcome(b, id, field, before, next, resolve));
            } else {
                out.put(field, Outcome.pending(whyPending(field)));
            }
        }
        return out;
    }

    /** A spec with its pool volumes and networks resolved to paths and bridges on this node, as a start resolves them. */
    private SystemSpec resolved(SystemSpec spec) {
        return DeviceSources.resolve(ctx.cdb(), ctx.nodeId(), spec, ctx.hostDevices());
    }

    private static List<String> fields(Map<String, Outcome> outcomes, boolean live) {
        return outcomes.entrySet().stream().filter(e -> e.getValue().live() == live).map(Map.Entry::getKey).toList();
    }

    private static Outcome live(String field, Runnable change) {
        try {
            change.run();
            return Outcome.now(null);
        } catch (AcpException e) {
            return Outcome.pending("the hypervisor refused to change " + field + " live (" + e.getMessage() + "); it applies at the next start");
        }
    }

    private static String whyPending(String field) {
        return switch (field) {
            case "maxVcpus", "maxMemory" -> "a maximum is fixed when the domain starts";
            default -> field + " applies at the next start";
        };
    }

    private static ObjectNode answer(ObjectNode report, List<String> changed, Map<String, Outcome> outcomes) {
        ObjectNode o = Json.object();
        o.setAll(report);
        var c = o.putArray("changed");
        changed.forEach(c::add);
        var l = o.putArray("live");
        var p = o.putArray("pending");
        ObjectNode fields = o.putObject("fields");
        outcomes.forEach((field, outcome) -> {
            (outcome.live() ? l : p).add(field);
            ObjectNode f = fields.putObject(field).put("applied", outcome.live() ? "live" : "pending");
            if (outcome.why() != null) {
                f.put("why", outcome.why());
            }
        });
        String state = report.path("state").asText();
        o.put("applies", changed.isEmpty() ? "nothing changed"
                : p.isEmpty() ? "now"
                : !SystemState.STOPPED.wireName().equals(state)
                        ? "at the next start" + (l.isEmpty() ? "" : " for " + join(p)) + ": the system is " + state
                                + "; stop and start it (or restart) to apply"
                : "at the next start");
        return o;
    }

    private static String join(com.fasterxml.jackson.databind.node.ArrayNode fields) {
        StringBuilder s = new StringBuilder();
        fields.forEach(f -> s.append(s.length() == 0 ? "" : ", ").append(f.asText()));
        return s.toString();
    }
}
