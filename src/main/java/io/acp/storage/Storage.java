package io.acp.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.EntryJson;
import io.acp.node.Revert;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.Probes;
import io.acp.storage.common.Reports;
import io.acp.storage.common.Sizes;
import io.acp.storage.common.StorageSettings;
import io.acp.storage.device.Devices;
import io.acp.storage.pool.PoolBackend;
import io.acp.storage.pool.PoolSpec;
import io.acp.storage.pool.Pools;
import io.acp.storage.pool.Volume;
import io.acp.storage.share.ShareSpec;
import io.acp.storage.share.Shares;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The storage operations of this node (service {@code storage} of the API). Reads ({@code list},
 * {@code show}) answer from the CDB and never wait on a mount; changes run on probe threads
 * bounded by {@code acp.storage.command-timeout}, and a create whose later step fails undoes the
 * earlier ones (a pool or share that cannot be realised here leaves no object behind).
 */
public final class Storage {

    private static final Logger LOG = Logger.getLogger(Storage.class);

    private final Reports reports;
    private final Probes probes;
    private final StorageSettings settings;
    private final Devices devices;
    private final Pools pools;
    private final Shares shares;
    /** The part of the reconcile under way, for {@link #reconciling()}. */
    private volatile String reconciling;

    Storage(Reports reports, Probes probes, StorageSettings settings, Devices devices, Pools pools, Shares shares) {
        this.reports = reports;
        this.probes = probes;
        this.settings = settings;
        this.devices = devices;
        this.pools = pools;
        this.shares = shares;
    }

    // ---- reads ---------------------------------------------------------------------------------

    /** Pools, shares and this node's devices, each with this node's meta and latest stats. */
    public Uni<ArrayNode> list() {
        return Uni.createFrom().item(() -> {
            ArrayNode out = Json.MAPPER.createArrayNode();
            for (ObjectEntry e : cdb().objects(ObjectQuery.ofType(ObjectType.STORAGE))) {
                if (e.subtype().equals("device") && !e.spec().path("node").asText().equals(reports.nodeId())) {
                    continue;
                }
                out.add(summary(e));
            }
            return out;
        });
    }

    /** One storage object: its entry, this node's meta and stats, and a pool's volumes here. */
    public Uni<ObjectNode> show(String id) {
        ObjectEntry e = cdb().object(Pools.checkedKey(id)).orElseThrow(() -> AcpException.notFound("storage " + id));
        ObjectNode o = summary(e);
        o.set("object", EntryJson.toJson(e));
        if (!e.subtype().equals("pool")) {
            return Uni.createFrom().item(o);
        }
        Pools.Realised r;
        try {
            r = pools.get(id);
        } catch (AcpException notHere) {
            o.putNull("volumes");
            return Uni.createFrom().item(o);
        }
        return probes.shared("volumes:" + id, "listing volumes of pool " + id + " on node " + reports.nodeId(), settings.probeTimeout(),
                () -> r.backend().volumes()).map(vs -> {
                    ArrayNode a = o.putArray("volumes");
                    vs.forEach(v -> a.add(v.toJson()));
                    return o;
                });
    }

    private ObjectNode summary(ObjectEntry e) {
        ObjectNode o = Json.object();
        o.put("id", e.id());
        o.put("subtype", e.subtype());
        // A device is reported by the node that has it; pools and shares by every node: this one's view.
        String node = e.subtype().equals("device") ? e.spec().path("node").asText(reports.nodeId()) : reports.nodeId();
        o.put("node", node);
        ObjectNode meta = cdb().meta(e.key(), node).stream().findFirst().map(m -> m.values()).orElse(null);
        if (meta == null) {
            o.putNull("meta");
        } else {
            o.set("meta", meta.deepCopy());
        }
        ObjectNode stats = o.putObject("stats");
        cdb().stats(e.key(), node).stream().findFirst().map(StatsEntry::values).orElse(Map.of())
                .forEach(stats::put);
        return o;
    }

    // ---- pools and volumes -----------------------------------------------------------------------

    /** Stores a pool and realises it on this node (if it is one of its nodes); same spec again: no change. */
    public Uni<ObjectNode> createPool(String id, JsonNode specJson) {
        ObjectKey key = Pools.checkedKey(id);
        PoolSpec spec = PoolSpec.parse(id, specJson);
        ObjectEntry existing = cdb().object(key).orElse(null);
        if (existing != null && !(existing.subtype().equals("pool") && existing.spec().equals(spec.toJson()))) {
            throw new AcpException(ErrorCode.CONFLICT, "storage " + id + " exists (" + existing.subtype() + ") with another spec; delete it first");
        }
        if (spec.share() != null && cdb().object(Reports.key(spec.share())).filter(s -> s.subtype().equals("share")).isEmpty()) {
            throw AcpException.notFound("share " + spec.share() + " (source of pool " + id + ")");
        }
        pools.backend(spec); // checks the allowed roots before anything is stored
        Revert revert = new Revert();
        Uni<Void> stored = existing != null ? Uni.createFrom().voidItem()
                : cdb().putObject(key, "pool", spec.toJson(), Cdb.ABSENT).invoke(() -> revert.add(() -> forget(key))).replaceWithVoid();
        return stored.chain(() -> {
            if (!spec.runsOn(reports.nodeId())) {
                return Uni.createFrom().item(summary(cdb().object(key).orElseThrow()));
            }
            return pools.realise(spec)
                    .chain(realisedPool -> pools.sample(realisedPool))
                    .map(ok -> summary(cdb().object(key).orElseThrow()))
                    .invoke(revert::done)
                    .onFailure().call(f -> revert.revert(undo -> LOG.warnf("pool %s: its object stays after the failed create: %s", id, undo.getMessage())));
        });
    }

    /** Deletes a pool that has no volumes on this node; ACP's own directory of a dir pool goes with it. */
    public Uni<ObjectNode> deletePool(String id) {
        ObjectEntry e = cdb().object(Pools.checkedKey(id)).filter(o -> o.subtype().equals("pool")).orElseThrow(() -> AcpException.notFound("pool " + id));
        PoolSpec spec = PoolSpec.parse(id, e.spec());
        Uni<Void> local = Uni.createFrom().voidItem();
        if (spec.runsOn(reports.nodeId())) {
            PoolBackend backend = pools.backend(spec);
            local = probes.call("realise:" + id, "deleting pool " + id + " on node " + reports.nodeId(), settings.commandTimeout(), () -> {
                List<Volume> vs = safeVolumes(backend);
                if (!vs.isEmpty()) {
                    throw new AcpException(ErrorCode.CONFLICT, "pool " + id + " on node " + reports.nodeId() + " has " + vs.size()
                            + " volume(s) (" + vs.get(0).name() + (vs.size() > 1 ? ", …" : "") + "); delete them first");
                }
                backend.forget();
                return null;
            });
        }
        return local.chain(() -> cdb().deleteObject(e.key())).invoke(() -> pools.forget(id)).map(t -> deleted(id));
    }

    private static List<Volume> safeVolumes(PoolBackend backend) {
        try {
            return backend.volumes();
        } catch (AcpException e) {
            if (e.code() == ErrorCode.UNAVAILABLE) {
                return List.of(); // a directory or VG that is not there holds no volumes
            }
            throw e;
        }
    }

    public Uni<ObjectNode> createVolume(String pool, String name, String size, String format) {
        long bytes = Sizes.parse("volume size", size);
        if (format != null && !PoolSpec.FORMATS.contains(format)) {
            throw AcpException.badRequest("volume format must be raw or qcow2, got '" + format + "'");
        }
        Pools.Realised r = pools.get(pool);
        return volumeOp(pool, name, "creating", () -> r.backend().create(name, bytes, format)).call(() -> pools.sample(r));
    }

    public Uni<ObjectNode> resizeVolume(String pool, String name, String size) {
        long bytes = Sizes.parse("volume size", size);
        Pools.Realised r = pools.get(pool);
        return volumeOp(pool, name, "resizing", () -> r.backend().resize(name, bytes)).call(() -> pools.sample(r));
    }

    public Uni<ObjectNode> deleteVolume(String pool, String name) {
        Pools.Realised r = pools.get(pool);
        return volumeOp(pool, name, "deleting", () -> {
            r.backend().delete(name);
            return null;
        }).call(() -> pools.sample(r)).map(v -> {
            ObjectNode o = Json.object();
            o.put("pool", pool);
            o.put("name", name);
            o.put("deleted", true);
            o.put("node", reports.nodeId());
            return o;
        });
    }

    private Uni<ObjectNode> volumeOp(String pool, String name, String what, java.util.concurrent.Callable<Volume> op) {
        return probes.call("volume:" + pool + "/" + name, what + " volume " + name + " in pool " + pool + " on node " + reports.nodeId(),
                settings.commandTimeout(), op).map(v -> v == null ? Json.object() : v.toJson());
    }

    // ---- shares ----------------------------------------------------------------------------------

    /** Stores a share and mounts it on this node; if the mount fails the object is removed again and the error answered. */
    public Uni<ObjectNode> addShare(String id, JsonNode specJson) {
        ObjectKey key = Pools.checkedKey(id);
        ShareSpec spec = ShareSpec.parse(id, specJson);
        if (cdb().object(key).isPresent()) {
            throw new AcpException(ErrorCode.CONFLICT, "storage " + id + " exists; remove it first");
        }
        Revert revert = new Revert();
        return cdb().putObject(key, "share", specJson, Cdb.ABSENT)
                .invoke(() -> revert.add(() -> forget(key)))
                .chain(() -> {
                    if (!spec.runsOn(reports.nodeId())) {
                        return Uni.createFrom().voidItem();
                    }
                    revert.add(() -> shares.unmount(id)); // before the mount: a mount that fails half-way is undone too
                    return shares.mount(spec);
                })
                .map(v -> summary(cdb().object(key).orElseThrow()))
                .invoke(revert::done)
                .onFailure().call(f -> revert.revert(undo -> LOG.warnf("share %s: not fully undone after the failed add: %s", id, undo.getMessage())));
    }

    /** Unmounts and deletes a share no pool uses. */
    public Uni<ObjectNode> removeShare(String id) {
        ObjectEntry e = cdb().object(Pools.checkedKey(id)).filter(o -> o.subtype().equals("share")).orElseThrow(() -> AcpException.notFound("share " + id));
        List<String> users = pools.onShare(id);
        if (!users.isEmpty()) {
            throw new AcpException(ErrorCode.CONFLICT, "share " + id + " is the source of pool(s) " + String.join(", ", users) + "; delete them first");
        }
        return shares.unmount(id).chain(() -> cdb().deleteObject(e.key())).invoke(() -> reports.forget(e.key())).map(t -> deleted(id));
    }

    // ---- ticks -----------------------------------------------------------------------------------

    /** Rediscovers devices, realises pools, mounts shares; answers how many things it touched. */
    public Uni<Integer> reconcile() {
        return devices.discover(this::reconciling).onFailure().recoverWithItem(0)
                .invoke(() -> reconciling("mounting shares"))
                .chain(d -> shares.reconcile().onFailure().recoverWithItem(0).map(s -> d + s))
                .invoke(() -> reconciling("realising pools"))
                .chain(n -> pools.reconcile().map(p -> n + p))
                .onTermination().invoke(() -> reconciling(null));
    }

    private void reconciling(String part) {
        reconciling = part;
    }

    /**
     * The part of the reconcile under way (null between reconciles), and how many of the CDB's
     * object writes are waiting for the journal: a start stuck in its first reconcile is named to
     * the part, and a stuck write is told from a lost acknowledgement.
     */
    public String reconciling() {
        String part = reconciling;
        return part == null ? null : part + "; CDB object writes waiting for the journal: " + cdb().objectWritesInFlight();
    }

    /** One stats sample of devices, shares and pools; answers how many were measured. */
    public Uni<Integer> sample() {
        Uni<Integer> d = devices.sample().onFailure().recoverWithItem(0);
        Uni<Integer> s = shares.sample().onFailure().recoverWithItem(0);
        return Uni.combine().all().unis(d, s).asTuple().chain(t -> pools.sample().map(p -> t.getItem1() + t.getItem2() + p));
    }

    /** The undo of storing an object: its reports and the object go. */
    private Uni<Void> forget(ObjectKey key) {
        reports.forget(key);
        return cdb().deleteObject(key).replaceWithVoid();
    }

    private ObjectNode deleted(String id) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("deleted", true);
        o.put("node", reports.nodeId());
        return o;
    }

    private Cdb cdb() {
        return reports.cdb();
    }
}
