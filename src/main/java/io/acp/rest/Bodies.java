package io.acp.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.quarkus.runtime.annotations.RegisterForReflection;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The request bodies of the REST API. Each becomes the {@code args} of one protocol operation
 * (docs/protocol.md), so the operation checks them as it checks the same arguments on any transport;
 * these records only fix the field names and JSON types (unknown fields are refused, see {@link StrictJson}).
 */
public final class Bodies {

    private Bodies() {
    }

    /** A free-form JSON object (a spec as docs/protocol.md describes it per type). */
    @Schema(name = "Spec", type = SchemaType.OBJECT, description = "An object's spec; its fields per type are in docs/protocol.md.")
    public interface SpecDoc {
    }

    @Schema(name = "SystemCreate", description = "hypervisor.create: a new system and where to place it (spec.node; omitted: the node with most free capacity); "
            + "with template, made from that template (spec then only changes its fields; disks come from the template).")
    @RegisterForReflection
    public record SystemCreate(@Schema(required = true) String id, @Schema(implementation = SpecDoc.class) ObjectNode spec,
            @Schema(description = "Also start it once created (default false: created and defined, stopped).") Boolean start,
            @Schema(description = "Make it from this template: qcow2 overlays of its volumes and a cloud-init seed.") String template,
            @Schema(description = "With template: {\"userData\": \"#cloud-config ...\", \"sshKeys\": [...], \"hostname\": \"web2\", \"networkConfig\": \"version: 2 ...\"}.") ObjectNode cloudInit,
            @Schema(description = "With template: full copies of its volumes instead of overlays.") Boolean full) {
        ObjectNode args() {
            ObjectNode a = Json.object();
            a.put("id", id);
            if (spec != null) {
                a.set("spec", spec);
            }
            a.put("start", Boolean.TRUE.equals(start));
            if (template != null) {
                a.put("template", template).put("full", Boolean.TRUE.equals(full));
                if (cloudInit != null) {
                    a.set("cloudInit", cloudInit);
                }
            }
            return a;
        }
    }

    @Schema(name = "TemplateCreate", description = "hypervisor.template-create: template id of the stopped system from, its volumes in pool "
            + "(default: the pool of the system's first disk).")
    @RegisterForReflection
    public record TemplateCreate(@Schema(required = true) String id, @Schema(required = true) String from, String pool) {
    }

    @Schema(name = "SystemChange", description = "hypervisor.set: the spec fields to change (name, vcpus, memory, maxVcpus, maxMemory, disks, interfaces, boot, autostart).")
    @RegisterForReflection
    public record SystemChange(@Schema(required = true, implementation = SpecDoc.class) ObjectNode spec) {
    }

    @Schema(name = "ObjectUpdate", description = "cluster.put of an existing object: its new spec, optionally only if it is still at ifVersion.")
    @RegisterForReflection
    public record ObjectUpdate(@Schema(required = true, implementation = SpecDoc.class) ObjectNode spec, String subtype, String ifVersion) {
    }

    @Schema(name = "Migration", description = "hypervisor.migrate: the node to move the system to, live or cold.")
    @RegisterForReflection
    public record Migration(@Schema(required = true) String to, Boolean live) {
    }

    @Schema(name = "Backup", description = "hypervisor.backup: the storage pool (of the system's node) that keeps the backup.")
    @RegisterForReflection
    public record Backup(@Schema(required = true) String to) {
    }

    @Schema(name = "Restore", description = "hypervisor.restore: the pool and backup to restore from; with as, a copy under that new id beside the original.")
    @RegisterForReflection
    public record Restore(@Schema(required = true) String from, @Schema(required = true) String backup, @Schema(name = "as") String as) {
    }

    @Schema(name = "Evacuation", description = "hypervisor.node-evacuate: the node to move every system to; without it, each goes to the "
            + "least loaded node that has its pools and networks.")
    @RegisterForReflection
    public record Evacuation(String to) {
    }

    @Schema(name = "NetworkCreate", description = "network.create: a network of one subtype (vlan, trunk, vpp-vlan, vxlan).")
    @RegisterForReflection
    public record NetworkCreate(@Schema(required = true) String id, @Schema(required = true) String subtype,
            @Schema(required = true, implementation = SpecDoc.class) ObjectNode spec) {
    }

    @Schema(name = "PortAttachment", description = "network.attach / network.detach: a host interface of the node, and the VLAN for attach.")
    @RegisterForReflection
    public record PortAttachment(@Schema(required = true, name = "interface") @com.fasterxml.jackson.annotation.JsonProperty("interface") String iface,
            Integer vlan) {
    }

    @Schema(name = "PoolCreate", description = "storage.pool.create: a pool and its spec (type, nodes, backend settings).")
    @RegisterForReflection
    public record PoolCreate(@Schema(required = true) String id, @Schema(required = true, implementation = SpecDoc.class) ObjectNode spec) {
    }

    @Schema(name = "VolumeCreate", description = "storage.volume.create: a volume in a pool; size in bytes or with a unit (\"10G\").")
    @RegisterForReflection
    public record VolumeCreate(@Schema(required = true) String name, @Schema(required = true) String size, String format) {
    }

    @Schema(name = "VolumeResize", description = "storage.volume.resize: the volume's new size, in bytes or with a unit (\"20G\").")
    @RegisterForReflection
    public record VolumeResize(@Schema(required = true) String size) {
    }

    @Schema(name = "ShareCreate", description = "storage.share.add: a share (NFS, CIFS...) and its spec.")
    @RegisterForReflection
    public record ShareCreate(@Schema(required = true) String id, @Schema(required = true, implementation = SpecDoc.class) ObjectNode spec) {
    }
}
