package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Templates: a stopped system's writable disks copied into read-only volumes
 * {@code template-<name>-<disk>.<format>} of a file pool, with its spec, kept as a {@code template}
 * object in the CDB:
 *
 * <pre>{"system": "web1", "pool": "images", "node": "n1", "createdAt": "...", "spec": {...},
 *  "volumes": [{"target": "vda", "volume": "template-base-vda.qcow2", "format": "qcow2", "bytes": 1, "sha256": "..."}]}</pre>
 *
 * A template is used where its pool is (every node that reaches the pool at its path, e.g. a shared
 * one); the systems made from it name it ({@code template} in their spec, see {@link TemplateSystems}),
 * and it cannot be deleted while one does. Kept in io.acp.hypervisor (not a package of its own):
 * it needs the system's spec, its node's assignment and the hypervisor's state, which are this
 * package's own.
 */
final class Templates {

    static final String VOLUME_PREFIX = "template-";

    private final SystemContext ctx;
    private final Assignment assignment;
    private final Clock clock;

    Templates(SystemContext ctx, Assignment assignment, Clock clock) {
        this.ctx = ctx;
        this.assignment = assignment;
        this.clock = clock;
    }

    static ObjectKey key(String name) {
        try {
            return ObjectKey.of(ObjectType.TEMPLATE, name);
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest("template name: " + e.getMessage());
        }
    }

    /** The template's object; NOT_FOUND naming it. */
    ObjectEntry object(String name) {
        return ctx.cdb().object(key(name)).orElseThrow(() -> AcpException.notFound("template " + name));
    }

    /** Copies the stopped system {@code from}'s writable disks into read-only volumes of {@code pool} (default: its first disk's pool). */
    Uni<ObjectNode> create(String name, String from, String pool) {
        ObjectKey key = key(name);
        if (ctx.cdb().object(key).isPresent()) {
            throw new AcpException(ErrorCode.CONFLICT, "rule template-exists: template " + name + " exists; delete it first or choose another name");
        }
        SystemSpec spec = ctx.specOf(from);
        assignment.requireHere(spec, "make a template of");
        String into = pool != null ? pool : spec.disks().stream().filter(d -> d.pool() != null && !d.readonly()).map(SystemSpec.Disk::pool).findFirst()
                .orElseThrow(() -> AcpException.badRequest("system " + from + " has no disk on an ACP pool; give the pool that keeps template " + name));
        Path root = filePool(into, "keep template " + name);
        SystemSpec resolved = DeviceSources.resolve(ctx.cdb(), ctx.nodeId(), spec, ctx.hostDevices());
        List<Path> written = new ArrayList<>();
        return requireStopped(from)
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(stopped -> copyVolumes(name, into, root, spec, resolved, written))
                .chain(body -> ctx.cdb().writer().putObject(key, null, body, Cdb.ABSENT).replaceWith(body))
                .onFailure().invoke(f -> written.forEach(Templates::removeReadOnly))
                .map(body -> {
                    ObjectNode o = body.deepCopy();
                    o.put("id", name);
                    return o;
                });
    }

    private ObjectNode copyVolumes(String name, String pool, Path root, SystemSpec spec, SystemSpec resolved, List<Path> written) {
        List<String> targets = spec.diskTargets();
        List<SystemSpec.Disk> disks = new ArrayList<>();
        ArrayNode volumes = Json.MAPPER.createArrayNode();
        try {
            for (int i = 0; i < spec.disks().size(); i++) {
                SystemSpec.Disk d = spec.disks().get(i);
                if (d.readonly()) {
                    disks.add(d); // shared as they are (an ISO, another template's base)
                    continue;
                }
                String volume = VOLUME_PREFIX + name + "-" + targets.get(i) + "." + d.format();
                Path to = root.resolve(volume);
                if (Files.exists(to)) {
                    throw new AcpException(ErrorCode.CONFLICT, "rule template-volume-exists: pool " + pool + " on node " + ctx.nodeId() + " already has "
                            + volume + "; template " + name + " was not made");
                }
                written.add(to);
                String sha = BackupManifest.copy(Path.of(resolved.disks().get(i).path()), to);
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("r--r--r--"));
                disks.add(new SystemSpec.Disk(null, pool, volume, d.format(), d.bus(), true, d.device()));
                volumes.addObject().put("target", targets.get(i)).put("volume", volume).put("format", d.format()).put("bytes", Files.size(to))
                        .put("sha256", sha);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("node " + ctx.nodeId() + " could not copy the disks of system " + spec.id() + " into template " + name
                    + ": " + e.getMessage(), e);
        }
        SystemSpec base = spec.withDevices(disks, spec.interfaces()).withNode(null).withTemplate(null);
        ObjectNode body = Json.object().put("system", spec.id()).put("pool", pool).put("node", ctx.nodeId()).put("createdAt", clock.instant().toString());
        body.set("spec", base.toJson());
        body.set("volumes", volumes);
        return body;
    }

    Uni<ArrayNode> list() {
        return Uni.createFrom().item(() -> {
            ArrayNode a = Json.MAPPER.createArrayNode();
            for (ObjectEntry e : ctx.cdb().objects(ObjectQuery.ofType(ObjectType.TEMPLATE))) {
                a.add(view(e));
            }
            return a;
        });
    }

    Uni<ObjectNode> show(String name) {
        return Uni.createFrom().item(() -> view(object(name)));
    }

    private ObjectNode view(ObjectEntry e) {
        ObjectNode o = Json.object().put("id", e.id());
        o.setAll((ObjectNode) e.spec().deepCopy());
        ArrayNode users = o.putArray("usedBy");
        users(e.id()).forEach(users::add);
        return o;
    }

    /** The systems whose spec names template {@code name}. */
    List<String> users(String name) {
        List<String> out = new ArrayList<>();
        for (ObjectEntry e : ctx.cdb().objects(ObjectQuery.ofType(ObjectType.SYSTEM))) {
            if (name.equals(e.spec().path("template").asText(null))) {
                out.add(e.id());
            }
        }
        return out;
    }

    /** Removes the template's object and, where this node reaches its pool, its volumes; CONFLICT naming the systems that use it. */
    Uni<ObjectNode> delete(String name) {
        ObjectEntry e = object(name);
        List<String> users = users(name);
        if (!users.isEmpty()) {
            throw new AcpException(ErrorCode.CONFLICT, "rule template-in-use: template " + name + " is the base of system(s) " + String.join(", ", users)
                    + "; delete them first (their disks are overlays on its volumes)");
        }
        String pool = e.spec().path("pool").asText();
        JsonNode meta = DeviceSources.meta(ctx.cdb(), ObjectType.STORAGE, pool, ctx.nodeId());
        String path = meta == null ? null : meta.path("path").asText(null);
        return ctx.cdb().writer().deleteObject(key(name))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(gone -> {
                    ObjectNode o = Json.object().put("id", name).put("deleted", true).put("node", ctx.nodeId());
                    ArrayNode removed = o.putArray("volumesRemoved");
                    for (JsonNode v : e.spec().path("volumes")) {
                        Path file = path == null ? null : Path.of(path).resolve(v.path("volume").asText());
                        if (file != null && Files.exists(file) && removeReadOnly(file)) {
                            removed.add(v.path("volume").asText());
                        }
                    }
                    return o;
                });
    }

    /** The directory of pool {@code pool} on this node; CONFLICT unless it is usable here and a file pool (templates are files). */
    Path filePool(String pool, String what) {
        String kind = SnapshotSupport.poolKind(ctx.cdb(), pool).orElse(null);
        if (kind != null && !kind.equals("dir") && !kind.equals("libvirt")) {
            throw new AcpException(ErrorCode.CONFLICT, "rule template-pool: cannot " + what + " in storage pool " + pool + ": it is a pool of kind " + kind
                    + ", whose volumes are logical volumes; templates and their overlays are files: use a dir pool");
        }
        JsonNode meta = DeviceSources.meta(ctx.cdb(), ObjectType.STORAGE, pool, ctx.nodeId());
        String state = meta == null ? null : meta.path("state").asText(null);
        String path = meta == null ? null : meta.path("path").asText(null);
        if (!"ok".equals(state) && !"nearFull".equals(state) || path == null || path.isBlank()) {
            throw new AcpException(ErrorCode.CONFLICT, "cannot " + what + ": storage pool " + pool + " is not usable on node " + ctx.nodeId()
                    + (meta == null ? " (this node reports nothing about it)" : " (state " + state + ")"));
        }
        return Path.of(path);
    }

    private Uni<Boolean> requireStopped(String id) {
        return ctx.hv().call(b -> b.status(id)).map(s -> {
            if (s.isPresent() && s.get().state() != SystemState.STOPPED && s.get().state() != SystemState.FAILED) {
                throw new AcpException(ErrorCode.CONFLICT, "rule template-stopped: cannot make a template of system " + id + ": it is "
                        + s.get().state().wireName() + " on node " + ctx.nodeId() + "; shut it down first (a template copies the disks of a stopped system)");
            }
            return true;
        });
    }

    private static boolean removeReadOnly(Path file) {
        file.toFile().setWritable(true);
        try {
            return Files.deleteIfExists(file);
        } catch (IOException e) {
            return false;
        }
    }
}
