package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.model.ConfinedPath;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Resolves a system's devices on ACP resources to what libvirt needs, from THIS node's meta in the
 * CDB (docs/storage.md and docs/network.md, "Meta and stats"): a disk {@code {"pool", "volume"}} becomes the file at the pool's meta
 * {@code path} + "/" + volume, an interface {@code {"network"}} a bridge interface on the bridge
 * the network's meta names. A pool or network this node does not report usable is a CONFLICT that
 * names it and what this node reports, so the system does not start half-wired.
 */
final class DeviceSources {

    static final Set<String> USABLE_POOL = Set.of("ok", "nearFull");

    private DeviceSources() {
    }

    static SystemSpec resolve(Cdb cdb, String nodeId, SystemSpec spec, HostDevices host) {
        List<SystemSpec.Disk> disks = new ArrayList<>();
        for (SystemSpec.Disk d : spec.disks()) {
            if (d.path() != null) {
                host.requirePath(spec.id(), nodeId, d.path());
                disks.add(d);
            } else {
                disks.add(d.withPath(volumePath(cdb, nodeId, spec.id(), d)));
            }
        }
        List<SystemSpec.Nic> nics = new ArrayList<>();
        for (SystemSpec.Nic n : spec.interfaces()) {
            if (n.network() == null) {
                host.requireBridge(spec.id(), nodeId, n.bridge());
                nics.add(n);
            } else {
                nics.add(n.withBridge(bridge(cdb, nodeId, spec.id(), n.network())));
            }
        }
        return spec.withDevices(disks, nics);
    }

    private static String volumePath(Cdb cdb, String nodeId, String system, SystemSpec.Disk d) {
        JsonNode meta = meta(cdb, ObjectType.STORAGE, d.pool(), nodeId);
        String state = meta == null ? null : meta.path("state").asText(null);
        String path = meta == null ? null : meta.path("path").asText(null);
        if (state == null || !USABLE_POOL.contains(state) || path == null || path.isBlank()) {
            throw new AcpException(ErrorCode.CONFLICT, "system " + system + ": storage pool " + d.pool() + " is not usable on node " + nodeId
                    + " (" + describe(meta, "problem") + "); its volume " + d.volume() + " cannot be attached");
        }
        String problem = ObjectKey.problem(d.volume());
        if (problem != null) {
            throw AcpException.badRequest("system " + system + ": volume '" + d.volume() + "' of pool " + d.pool() + " " + problem + " (rule object-id)");
        }
        Path root = Path.of(path);
        Path file = root.resolve(d.volume());
        if (!ConfinedPath.isBelow(file, root)) {
            throw AcpException.badRequest("system " + system + ": volume " + d.volume() + " of pool " + d.pool() + " leads to "
                    + ConfinedPath.resolve(file) + ", outside the pool's directory " + root + " (rule confined-path)");
        }
        return file.toString();
    }

    private static String bridge(Cdb cdb, String nodeId, String system, String network) {
        JsonNode meta = meta(cdb, ObjectType.NETWORK, network, nodeId);
        String state = meta == null ? null : meta.path("state").asText(null);
        String bridge = meta == null ? null : meta.path("bridge").asText(null);
        if (!"up".equals(state) || bridge == null || bridge.isBlank()) {
            throw new AcpException(ErrorCode.CONFLICT, "system " + system + ": network " + network + " is not up on node " + nodeId
                    + " (" + describe(meta, "problem") + "); its interface cannot be attached");
        }
        return bridge;
    }

    static JsonNode meta(Cdb cdb, ObjectType type, String id, String nodeId) {
        ObjectKey key;
        try {
            key = ObjectKey.of(type, id);
        } catch (IllegalArgumentException e) {
            return null;
        }
        List<MetaEntry> m = cdb.meta(key, nodeId);
        return m.isEmpty() ? null : m.get(0).values();
    }

    private static String describe(JsonNode meta, String problemField) {
        if (meta == null) {
            return "this node reports nothing about it";
        }
        String state = meta.path("state").asText("no state");
        String problem = meta.path(problemField).asText(null);
        return "state " + state + (problem == null ? "" : ": " + problem);
    }
}
