package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.AcpException;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * The record a template object holds ({@link Templates}), checked when someone stores one by hand
 * ({@code cluster.put}): {@code template create} writes it itself, and {@code system create
 * --template} makes a qcow2 overlay on every volume it lists. So each listed volume must be one
 * {@code template create} made for this template (named {@code template-<name>-…}, and a read-only
 * disk of the record's spec in its pool), never a writable volume of the pool that its systems'
 * overlays would then rest on while it keeps changing.
 */
public final class TemplateRecord {

    private static final Set<String> FIELDS = Set.of("system", "pool", "node", "createdAt", "spec", "volumes");

    private TemplateRecord() {
    }

    /** BAD_REQUEST naming the template and what is wrong, unless {@code record} is one {@code template create} could have written. */
    public static void check(String name, JsonNode record) {
        if (record == null || !record.isObject()) {
            throw bad(name, "the record must be a JSON object");
        }
        for (Iterator<String> it = record.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw bad(name, "field '" + f + "' is not a field of a template; fields are " + new TreeSet<>(FIELDS));
            }
        }
        String pool = record.path("pool").asText("");
        if (!record.path("pool").isTextual() || pool.isEmpty() || pool.contains("/")) {
            throw bad(name, "field 'pool' must name the file pool its volumes are in, got " + record.path("pool"));
        }
        if (!record.path("spec").isObject()) {
            throw bad(name, "field 'spec' must be the spec of the systems made from it, got " + record.path("spec"));
        }
        SystemSpec spec;
        try {
            spec = SystemSpec.parse(name, record.get("spec"));
        } catch (AcpException e) {
            throw bad(name, "its spec: " + e.getMessage());
        }
        JsonNode volumes = record.path("volumes");
        if (!volumes.isMissingNode() && !volumes.isArray()) {
            throw bad(name, "field 'volumes' must be a list, got " + volumes);
        }
        String prefix = Templates.VOLUME_PREFIX + name + "-";
        int i = 0;
        for (JsonNode v : volumes) {
            String volume = v.path("volume").asText("");
            if (!volume.startsWith(prefix)) { // no '/' either: it must be a disk volume of the spec, whose names SystemSpec keeps plain
                throw bad(name, "volumes[" + i + "].volume must be a volume 'template create' made for it (" + prefix + "…), got " + v.path("volume"));
            }
            boolean aReadOnlyDisk = spec.disks().stream().anyMatch(d -> d.readonly() && pool.equals(d.pool()) && volume.equals(d.volume()));
            if (!aReadOnlyDisk) {
                throw bad(name, "volumes[" + i + "].volume " + volume + " is not a read-only disk of its spec in pool " + pool);
            }
            i++;
        }
    }

    private static AcpException bad(String name, String what) {
        return AcpException.badRequest("template " + name + ": " + what + " (rule template-record)");
    }
}
