package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.node.NodeCalls;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A new system made from a {@link Templates template}: the template's spec (with {@code overrides}
 * of vcpus, memory, interfaces... from the request), each template volume under a disk of its own
 * in the template's pool ({@code <id>-<disk>.qcow2}, a qcow2 overlay whose backing file is the
 * template's volume, or with {@code full} a copy that does not depend on the template), new MACs,
 * and a cloud-init NoCloud seed ({@code <id>-seed.iso}, {@link SeedIso}) as a read-only cdrom.
 * Placed like any create: another node gets the whole request. What a failed step wrote is removed.
 */
final class TemplateSystems {

    /** Fields of the template's spec a create may change; disks come from the template. */
    private static final Set<String> OVERRIDES = Set.of("name", "vcpus", "memory", "interfaces", "boot", "autostart", "node", "ha");

    private final SystemContext ctx;
    private final Assignment assignment;
    private final Templates templates;
    private final Domains domains;

    TemplateSystems(SystemContext ctx, Assignment assignment, Templates templates, Domains domains) {
        this.ctx = ctx;
        this.assignment = assignment;
        this.templates = templates;
        this.domains = domains;
    }

    Uni<ObjectNode> create(String id, String template, JsonNode overrides, JsonNode cloudInit, boolean full, boolean start, NodeCalls calls) {
        ObjectKey key = SystemReports.key(SystemContext.checkedId(id));
        CloudInit init = Optional.ofNullable(CloudInit.parse(id, cloudInit)).orElse(new CloudInit(null, List.of(), null, null));
        JsonNode body = templates.object(template).spec();
        SystemSpec requested = requested(id, template, body.path("spec"), overrides);
        if (ctx.cdb().object(key).isPresent()) {
            throw new AcpException(ErrorCode.CONFLICT, "rule system-exists: system " + id + " exists; a system is made from template " + template
                    + " only once (delete it first, or choose another id)");
        }
        SystemSpec spec = assignment.placed(requested, Optional.empty());
        if (!spec.node().equals(ctx.nodeId())) {
            ObjectNode args = Json.object().put("id", id).put("template", template).put("start", start).put("full", full);
            ObjectNode o = overrides != null && overrides.isObject() ? ((ObjectNode) overrides).deepCopy() : Json.object();
            args.set("spec", o.put("node", spec.node()));
            if (cloudInit != null && !cloudInit.isNull()) {
                args.set("cloudInit", cloudInit);
            }
            return calls.call(spec.node(), "hypervisor", "create", args).map(ObjectNode.class::cast);
        }
        String pool = body.path("pool").asText();
        Path root = templates.filePool(pool, "make system " + id + " from template " + template);
        List<String> volumes = new ArrayList<>();
        body.path("volumes").forEach(v -> volumes.add(v.path("volume").asText()));
        List<Path> written = new ArrayList<>();
        Cdb cdb = ctx.cdb();
        return Uni.createFrom().item(() -> materialize(spec, template, pool, root, volumes, init, full, written))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(made -> cdb.writer().putObject(key, null, made.toJson(), Cdb.ABSENT).replaceWith(made))
                .chain(made -> defined(made, start)
                        .onFailure().call(f -> cdb.writer().deleteObject(key).onFailure().recoverWithNull()))
                .onFailure().invoke(f -> written.forEach(TemplateSystems::deleteQuietly));
    }

    private Uni<ObjectNode> defined(SystemSpec spec, boolean start) {
        if (start) {
            return domains.defineNewAndStart(spec);
        }
        return domains.defineIfAbsent(spec).chain(d -> ctx.report(spec.id()));
    }

    /** The template's spec with the request's overrides, this template's name, and a new MAC on every interface. */
    static SystemSpec requested(String id, String template, JsonNode base, JsonNode overrides) {
        ObjectNode json = base.deepCopy();
        json.remove("node");
        if (overrides != null && !overrides.isNull()) {
            if (!overrides.isObject()) {
                throw AcpException.badRequest("system " + id + ": spec must be a JSON object");
            }
            for (Iterator<String> it = overrides.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!OVERRIDES.contains(f)) {
                    throw AcpException.badRequest("system " + id + ": field '" + f + "' cannot be given with template " + template
                            + (f.equals("disks") ? " (its disks come from the template)" : "") + "; fields it takes are " + String.join(", ", OVERRIDES.stream().sorted().toList()));
                }
                json.set(f, overrides.get(f));
            }
        }
        json.put("template", template);
        SystemSpec spec = SystemSpec.parse(id, json);
        List<SystemSpec.Nic> nics = new ArrayList<>();
        for (SystemSpec.Nic n : spec.interfaces()) {
            nics.add(n.mac() != null && overrides != null && overrides.has("interfaces") ? n
                    : n.withMac(SystemSpec.Nic.randomMac()));
        }
        return spec.withDevices(spec.disks(), nics);
    }

    /** Writes the system's overlays (or copies) and its seed; answers its spec on them. Blocks: runs on a worker. */
    private SystemSpec materialize(SystemSpec spec, String template, String pool, Path root, List<String> volumes, CloudInit init, boolean full,
            List<Path> written) {
        String id = spec.id();
        List<String> targets = spec.diskTargets();
        List<SystemSpec.Disk> disks = new ArrayList<>();
        try {
            for (int i = 0; i < spec.disks().size(); i++) {
                SystemSpec.Disk d = spec.disks().get(i);
                if (!pool.equals(d.pool()) || !volumes.contains(d.volume())) {
                    disks.add(d);
                    continue;
                }
                Path base = root.resolve(d.volume());
                if (!Files.isRegularFile(base)) {
                    throw new AcpException(ErrorCode.CONFLICT, "rule template-here: template " + template + "'s volume " + d.volume() + " is not in pool "
                            + pool + " on node " + ctx.nodeId() + " (" + base + "); a template is used on the nodes that reach its pool's files");
                }
                String format = full ? d.format() : "qcow2";
                String volume = id + "-" + targets.get(i) + "." + format;
                Path disk = fresh(root, volume, pool, id);
                written.add(disk);
                if (full) {
                    BackupManifest.copy(base, disk);
                    disk.toFile().setWritable(true, true);
                } else {
                    HostCommand.QEMU_IMG.run(ctx.nodeId(), "make the overlay " + volume + " of system " + id, List.of("create", "-q", "-f", "qcow2",
                            "-F", d.format(), "-b", base.toString(), disk.toString()));
                }
                disks.add(new SystemSpec.Disk(null, pool, volume, format, d.bus(), false, d.device()));
            }
            String seed = id + "-seed.iso";
            Path iso = fresh(root, seed, pool, id);
            written.add(iso);
            SeedIso.write(ctx.nodeId(), id, init, iso);
            disks.add(new SystemSpec.Disk(null, pool, seed, "raw", "sata", true, "cdrom"));
        } catch (IOException e) {
            throw new UncheckedIOException("node " + ctx.nodeId() + " could not make the disks of system " + id + " from template " + template + ": "
                    + e.getMessage(), e);
        }
        return spec.withDevices(disks, spec.interfaces());
    }

    private Path fresh(Path root, String volume, String pool, String id) {
        Path p = root.resolve(volume);
        if (Files.exists(p)) {
            throw new AcpException(ErrorCode.CONFLICT, "rule template-volume-exists: pool " + pool + " on node " + ctx.nodeId() + " already has volume "
                    + volume + ", which system " + id + " would get; nothing was made");
        }
        return p;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException gone) {
            // best effort: the error that made us undo is the one reported
        }
    }
}
