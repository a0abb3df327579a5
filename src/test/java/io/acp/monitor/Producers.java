package io.acp.monitor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.time.Duration;
import java.util.Map;

/**
 * Writes into a CDB what the real producers write (docs/monitoring.md): the framework's node and service
 * objects and meta, the sync's membership view, the hypervisor's system meta, the storage and
 * network services' meta and stats. Reports "from" another node are merged with that node's version,
 * as sync would deliver them.
 */
public final class Producers {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private Producers() {
    }

    /** The framework's {@code node/<id>} object (and, for a monitor node, its {@code service/<id>:monitor} object). */
    public static void node(Cdb cdb, String id, boolean runsMonitor) {
        if (cdb.object(ObjectKey.of(ObjectType.NODE, id)).isEmpty()) {
            cdb.putObject(ObjectKey.of(ObjectType.NODE, id), null, Json.object().put("hostname", id), null).await().atMost(WAIT);
        }
        if (runsMonitor && cdb.object(Monitor.serviceKey(id)).isEmpty()) {
            object(cdb, Monitor.serviceKey(id), "monitor", Json.object().put("node", id).put("name", "monitor"));
        }
    }

    public static void object(Cdb cdb, ObjectKey key, String subtype, ObjectNode spec) {
        cdb.putObject(key, subtype, spec, null).await().atMost(WAIT);
    }

    /** {@code reporter}'s meta of {@code key}. */
    public static void meta(Cdb cdb, ObjectKey key, String reporter, ObjectNode values) {
        if (reporter.equals(cdb.localNode())) {
            cdb.putMeta(key, values);
        } else {
            cdb.merge(new MetaEntry(key, reporter, values, new Version(cdb.clock().now(), reporter)));
        }
    }

    /** {@code reporter}'s stats sample of {@code key}. */
    public static void stats(Cdb cdb, ObjectKey key, String reporter, Map<String, Double> values) {
        if (reporter.equals(cdb.localNode())) {
            cdb.putStats(key, values);
        } else {
            cdb.merge(new StatsEntry(key, reporter, values, new Version(cdb.clock().now(), reporter)));
        }
    }

    /** The sync's view: {@code viewer} sees {@code peer} as alive, suspect or dead. */
    public static void membership(Cdb cdb, String viewer, String peer, String state) {
        meta(cdb, ObjectKey.of(ObjectType.NODE, peer), viewer, Json.object().put("membership", state).put("epoch", 1)
                .put("last-heard", System.currentTimeMillis()).put("address", "127.0.0.1:7447"));
    }

    /** The framework's 1 s node stats, with the node's wall clock. */
    public static void nodeStats(Cdb cdb, String node, long wallClockMillis) {
        stats(cdb, ObjectKey.of(ObjectType.NODE, node), node, Map.of("cpu", 0.1, "memUsed", 1e9, StatsArrivals.WALL_CLOCK, (double) wallClockMillis));
    }

    /** The framework's service meta. */
    public static void service(Cdb cdb, String node, String name, String state, boolean healthy) {
        ObjectKey key = ObjectKey.of(ObjectType.SERVICE, node + ":" + name);
        if (cdb.object(key).isEmpty()) {
            object(cdb, key, name, Json.object().put("node", node).put("name", name));
        }
        meta(cdb, key, node, Json.object().put("state", state).put("healthy", healthy).put("detail", healthy ? "ok" : "disk stalled")
                .put("since", "2026-11-24T10:00:00Z").put("restarts", 0).putNull("lastError"));
    }

    public static ObjectKey storage(Cdb cdb, String id, String subtype) {
        ObjectKey key = ObjectKey.of(ObjectType.STORAGE, id);
        if (cdb.object(key).isEmpty()) {
            object(cdb, key, subtype, Json.object());
        }
        return key;
    }

    public static void pool(Cdb cdb, String id, String node, String state, double usedPercent) {
        ObjectKey key = storage(cdb, id, "pool");
        meta(cdb, key, node, Json.object().put("state", state).put("kind", "dir").put("path", "/var/lib/acp/pools/" + id));
        stats(cdb, key, node, Map.of("capacity", 100e9, "allocation", usedPercent * 1e9, "free", (100 - usedPercent) * 1e9, "usedPercent", usedPercent));
    }

    public static void device(Cdb cdb, String id, String node, String state) {
        meta(cdb, storage(cdb, id, "device"), node, Json.object().put("state", state));
    }

    public static void share(Cdb cdb, String id, String node, String state) {
        meta(cdb, storage(cdb, id, "share"), node, Json.object().put("state", state));
    }

    public static void system(Cdb cdb, String id, String node, String state) {
        ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, id);
        if (cdb.object(key).isEmpty()) {
            object(cdb, key, null, Json.object().put("vcpus", 1).put("memory", 64));
        }
        meta(cdb, key, node, Json.object().put("state", state).put("loaded", true).put("node", node).put("since", "2026-11-24T10:00:00Z"));
    }

    /** A running system's meta whose VMM (a qemu of {@code node}) is in {@code vmmState}, as the hypervisor's sample writes it. */
    public static void systemVmm(Cdb cdb, String id, String node, String vmmState) {
        system(cdb, id, node, "running");
        ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, id);
        meta(cdb, key, node, Json.object().put("state", "running").put("loaded", true).put("node", node).put("since", "2026-11-24T10:00:00Z")
                .set("vmm", Json.object().put("pid", 4242).put("cgroup", "/machine/qemu-1-" + id + ".libvirt-qemu").put("state", vmmState)));
    }

    public static ObjectKey network(Cdb cdb, String id, String node, String state) {
        ObjectKey key = ObjectKey.of(ObjectType.NETWORK, id);
        if (cdb.object(key).isEmpty()) {
            object(cdb, key, "vlan", Json.object().put("uplink", "eth0").put("vlan", 100));
        }
        meta(cdb, key, node, Json.object().put("state", state).put("bridge", "br-" + id));
        return key;
    }

    public static void networkErrors(Cdb cdb, ObjectKey network, String node, double rxErrors) {
        stats(cdb, network, node, Map.of("rxBytes", 1000.0, "txBytes", 1000.0, "rxErrors", rxErrors, "txErrors", 0.0));
    }
}
