package io.acp.storage.pool;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.Probes;
import io.acp.storage.common.Reports;
import io.acp.storage.common.StorageSettings;
import io.acp.storage.common.Usage;
import io.acp.storage.share.Shares;
import io.smallrye.mutiny.Uni;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The pools this node realises and their reports: meta {@code {"state", "kind", "path", "problem"?}}
 * and stats {@code capacity, allocation, free, usedPercent, volumes}. A pool whose probe fails or
 * hangs is {@code unavailable} with the reason; the others are reported as usual.
 */
public final class Pools {

    /** A pool this node realised, with the spec it was built from. */
    public record Realised(PoolSpec spec, PoolBackend backend) {
    }

    private final Reports reports;
    private final Probes probes;
    private final StorageSettings settings;
    private final Shares shares;
    private final Lvm lvm;
    private final LibvirtConnection libvirt;
    private final Map<String, Realised> realised = new ConcurrentHashMap<>();

    public Pools(Reports reports, Probes probes, StorageSettings settings, Shares shares, Lvm lvm, LibvirtConnection libvirt) {
        this.reports = reports;
        this.probes = probes;
        this.settings = settings;
        this.shares = shares;
        this.lvm = lvm;
        this.libvirt = libvirt;
    }

    /** Pool objects this node should realise. */
    List<PoolSpec> specs() {
        return reports.specs("pool", PoolSpec::parse, "unavailable").stream().filter(s -> s.runsOn(reports.nodeId())).toList();
    }

    /** Realises every pool of this node not yet realised (or whose spec changed), forgets deleted ones. */
    public Uni<Integer> reconcile() {
        List<PoolSpec> specs = specs();
        Set<String> ids = specs.stream().map(PoolSpec::id).collect(Collectors.toSet());
        List<Uni<Boolean>> work = new ArrayList<>();
        for (Realised r : List.copyOf(realised.values())) {
            if (!ids.contains(r.spec().id()) && realised.remove(r.spec().id(), r)) {
                // Deleted (maybe through another node): drop what ACP made here, if it is empty.
                reports.forget(Reports.key(r.spec().id()));
                work.add(probes.call("realise:" + r.spec().id(), "forgetting pool " + r.spec().id(), settings.commandTimeout(), () -> {
                    r.backend().forget();
                    return false;
                }).onFailure().recoverWithItem(false));
            }
        }
        for (PoolSpec s : specs) {
            Realised r = realised.get(s.id());
            if (r == null || !r.spec().equals(s)) {
                work.add(realise(s).replaceWith(true).onFailure().recoverWithItem(false));
            }
        }
        return Reports.countTrue(work);
    }

    /** Builds and realises one pool; its meta says unavailable (and why) if that fails. */
    public Uni<Realised> realise(PoolSpec spec) {
        ObjectKey key = Reports.key(spec.id());
        return Uni.createFrom().deferred(() -> {
            if (spec.share() != null && !shares.isMounted(spec.share())) {
                throw new AcpException(ErrorCode.UNAVAILABLE, "pool " + spec.id() + " on node " + reports.nodeId() + ": its share " + spec.share()
                        + " is not mounted");
            }
            PoolBackend backend = backend(spec);
            return probes.call("realise:" + spec.id(), "realising pool " + spec.id() + " on node " + reports.nodeId(), settings.commandTimeout(), () -> {
                backend.realise();
                return new Realised(spec, backend);
            });
        }).invoke(r -> realised.put(spec.id(), r))
                .onFailure().invoke(f -> reports.problem(key, "unavailable", f.getMessage(), kindAndPath(spec)));
    }

    /** Samples every realised pool; answers how many were measured. */
    public Uni<Integer> sample() {
        List<Uni<Boolean>> work = new ArrayList<>();
        for (Realised r : realised.values()) {
            work.add(sample(r));
        }
        return Reports.countTrue(work);
    }

    /** Measures one pool: stats and meta; never fails (a failure becomes the pool's meta). */
    public Uni<Boolean> sample(Realised r) {
        PoolSpec spec = r.spec();
        ObjectKey key = Reports.key(spec.id());
        ObjectNode base = Json.object();
        base.put("kind", r.backend().kind());
        base.put("path", r.backend().path().toString());
        if (spec.share() != null && !shares.isMounted(spec.share())) {
            reports.problem(key, "unavailable", "pool " + spec.id() + " on node " + reports.nodeId() + ": its share " + spec.share() + " is not mounted", base);
            return Uni.createFrom().item(false);
        }
        return probes.call("pool:" + spec.id(), "statvfs/report of pool " + spec.id() + " on node " + reports.nodeId(), settings.probeTimeout(), () -> {
            Usage u = r.backend().usage();
            return Map.entry(u, r.backend().volumes().size());
        }).map(m -> {
            Usage u = m.getKey();
            Map<String, Double> stats = u.stats();
            stats.put("volumes", (double) m.getValue());
            reports.stats(key, stats);
            String state = u.state(settings.nearFullPercent(), settings.fullPercent());
            ObjectNode meta = Json.object();
            meta.put("state", state);
            meta.setAll(base);
            String problem = u.problem("pool " + spec.id() + " on node " + reports.nodeId(), state);
            if (problem != null) {
                meta.put("problem", problem);
            }
            reports.meta(key, meta);
            return true;
        }).onFailure().recoverWithItem(f -> {
            // A sample that meets another of the same pool (the periodic one and a volume change's)
            // leaves the pool's state to that one: the pool is busy, not broken
            if (!Probes.overlapped(f)) {
                reports.problem(key, "unavailable", f.getMessage(), base);
            }
            return false;
        });
    }

    /** The realised pool, or NOT_FOUND / UNAVAILABLE naming why there is none on this node. */
    public Realised get(String id) {
        Realised r = realised.get(id);
        if (r != null) {
            // A pool whose last probe failed (hung mount, VG gone) is refused at once, not waited on again.
            ObjectNode meta = reports.current(Reports.key(id)).orElse(null);
            if (meta != null && meta.path("state").asText().equals("unavailable")) {
                throw new AcpException(ErrorCode.UNAVAILABLE, meta.path("problem").asText("pool " + id + " is unavailable on node " + reports.nodeId()));
            }
            return r;
        }
        ObjectEntry e = reports.cdb().object(checkedKey(id)).filter(o -> "pool".equals(o.subtype()))
                .orElseThrow(() -> AcpException.notFound("pool " + id));
        PoolSpec spec = PoolSpec.parse(id, e.spec());
        if (!spec.runsOn(reports.nodeId())) {
            throw new AcpException(ErrorCode.CONFLICT, "pool " + id + " is not on node " + reports.nodeId() + " (it is on " + spec.nodes() + ")");
        }
        String why = reports.current(e.key()).map(m -> m.path("problem").asText("")).orElse("");
        throw new AcpException(ErrorCode.UNAVAILABLE, "pool " + id + " is not usable on node " + reports.nodeId() + (why.isEmpty() ? " yet" : ": " + why));
    }

    public void forget(String id) {
        realised.remove(id);
        reports.forget(Reports.key(id));
    }

    /** Builds the backend of a spec, checking a dir pool's path against the allowed roots. */
    public PoolBackend backend(PoolSpec spec) {
        String node = reports.nodeId();
        return switch (spec.kind()) {
            case "dir" -> {
                if (spec.share() != null) {
                    Path mount = shares.mountPoint(spec.share());
                    Path dir = spec.subdir() == null ? mount : StorageSettings.confined("pool " + spec.id() + " subdir", mount.resolve(spec.subdir()), mount);
                    yield new DirPool(spec.id(), node, dir, false, spec.format(), settings.commands());
                }
                if (spec.path() == null) {
                    Path pools = settings.dataDir().resolve("pools");
                    yield new DirPool(spec.id(), node, StorageSettings.confined("pool " + spec.id(), pools.resolve(spec.id()), pools), true, spec.format(),
                            settings.commands());
                }
                settings.requireAllowed(spec.id(), spec.path());
                yield new DirPool(spec.id(), node, spec.path(), false, spec.format(), settings.commands());
            }
            case "libvirt" -> new LibvirtPool(spec.id(), node, spec.name() == null ? spec.id() : spec.name(), libvirt);
            default -> new LvmPool(spec.id(), node, spec.vg(), spec.thinPool(), lvm);
        };
    }

    /** Ids of realised pools whose source is share {@code shareId}. */
    public List<String> onShare(String shareId) {
        return specs().stream().filter(s -> shareId.equals(s.share())).map(PoolSpec::id).sorted().toList();
    }

    private ObjectNode kindAndPath(PoolSpec spec) {
        ObjectNode o = Json.object();
        o.put("kind", spec.kind());
        try {
            o.put("path", backend(spec).path().toString());
        } catch (AcpException e) {
            o.put("path", spec.path() == null ? "" : spec.path().toString());
        }
        return o;
    }

    public static ObjectKey checkedKey(String id) {
        try {
            return Reports.key(id);
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest("storage id: " + e.getMessage());
        }
    }
}
