package io.acp.hypervisor;

import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.cluster.sync.membership.MembershipMeta;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Chooses the node of a system created without one: the node with the most free memory, then the
 * most free cpu, from the CDB's node stats ({@code memAvailable}, {@code cpus}, {@code cpu}) minus
 * what the systems already assigned there and running or paused reserve (their memory and vcpus).
 *
 * <p>A candidate is a node whose own node stats are fresh (under {@link #STALE}), that is not dead in
 * this node's membership view, and whose hypervisor service reports itself running. This node is
 * always a candidate (its hypervisor is the one choosing); without stats yet, its capacity is unknown
 * and it is chosen only when no node with known room fits. A node whose free memory is smaller than
 * the system's is not chosen; when no node fits, the create fails with CONFLICT listing each node's room.
 * A node marked unschedulable ({@link NodeSchedule}: being evacuated) is never a candidate, this one included.
 * Nor is another node whose own node meta says it is still {@code syncing} the cluster's state: it
 * cannot make the conditional write that starts a system until it has caught up, so a node that just
 * restarted is not handed systems (created, migrated or failed over) while it syncs.
 */
public final class Placement {

    static final Duration STALE = Duration.ofSeconds(30);
    private static final double MIB = 1024.0 * 1024.0;

    /** A node's room for one more system; {@code known} false when it has published no stats. */
    record Room(String node, boolean known, double freeMemory, double freeCpus) {
        String describe() {
            return known ? String.format("%s has %.0f MiB and %.1f cpus free", node, freeMemory / MIB, freeCpus) : node + " has no stats yet";
        }
    }

    private Placement() {
    }

    static String choose(Cdb cdb, String localNode, SystemSpec spec, long nowMillis) {
        List<Room> rooms = rooms(cdb, localNode, spec.id(), nowMillis);
        double needed = spec.memoryMiB() * MIB;
        return rooms.stream()
                .filter(r -> !r.known() || r.freeMemory() >= needed)
                .min(Comparator.comparing((Room r) -> !r.known())
                        .thenComparing(Room::freeMemory, Comparator.reverseOrder())
                        .thenComparing(Room::freeCpus, Comparator.reverseOrder())
                        .thenComparing(Room::node))
                .map(Room::node)
                .orElseThrow(() -> new AcpException(ErrorCode.CONFLICT, "no node has room for system " + spec.id() + " ("
                        + spec.memoryMiB() + " MiB): " + rooms.stream().map(Room::describe).collect(Collectors.joining("; "))
                        + unschedulable(cdb, localNode) + "; free memory, or give the spec a 'node'"));
    }

    /**
     * For the HA manager (io.acp.ha): the node among {@code allowed} to restart {@code spec} on, the
     * earliest in {@code priority} with room, else the one with the most free memory; empty when none
     * has room (a node with no stats counts as having none). Unlike a create, the choosing node is no
     * exception to the syncing rule: the ownership leader may be a node that has just restarted and is
     * still catching up, and handing a failed node's system to itself would start it only once it is
     * ready (HaNetnsIT: 10.4–10.6 s instead of about 5 s, while another live node was ready).
     */
    public static java.util.Optional<String> chooseAmong(Cdb cdb, String localNode, SystemSpec spec, java.util.Collection<String> allowed,
                                                         List<String> priority, long nowMillis) {
        double needed = spec.memoryMiB() * MIB;
        return rooms(cdb, localNode, spec.id(), nowMillis).stream()
                .filter(r -> allowed.contains(r.node()) && r.known() && r.freeMemory() >= needed && !syncing(cdb, r.node()))
                .min(Comparator.comparing((Room r) -> priority.contains(r.node()) ? priority.indexOf(r.node()) : Integer.MAX_VALUE)
                        .thenComparing(Room::freeMemory, Comparator.reverseOrder())
                        .thenComparing(Room::node))
                .map(Room::node);
    }

    /** The room of every candidate node, for placing {@code systemId} (whose own reservation does not count). */
    static List<Room> rooms(Cdb cdb, String localNode, String systemId, long nowMillis) {
        List<String> nodes = new ArrayList<>();
        for (ObjectKey k : cdb.reportedKeys(ObjectType.NODE)) {
            String n = k.id();
            if (n.equals(localNode) || (fresh(cdb, n, nowMillis) && !MembershipMeta.deadInViewOf(cdb, localNode, n) && runsHypervisor(cdb, n))) {
                nodes.add(n);
            }
        }
        if (!nodes.contains(localNode)) {
            nodes.add(localNode);
        }
        nodes.removeIf(n -> !NodeSchedule.schedulable(cdb, n) || (!n.equals(localNode) && syncing(cdb, n)));
        List<Room> out = new ArrayList<>();
        for (String n : nodes) {
            List<StatsEntry> s = cdb.stats(ObjectKey.of(ObjectType.NODE, n), n);
            if (s.isEmpty() || nowMillis - s.get(0).version().millis() > STALE.toMillis()) {
                out.add(new Room(n, false, 0, 0));
                continue;
            }
            Map<String, Double> v = s.get(0).values();
            double[] reserved = reserved(cdb, n, systemId);
            double cpus = v.getOrDefault("cpus", 0.0) * (1 - v.getOrDefault("cpu", 0.0));
            out.add(new Room(n, true, v.getOrDefault("memAvailable", 0.0) - reserved[0], cpus - reserved[1]));
        }
        return out;
    }

    /** The unschedulable and syncing nodes, for an error that says why they were not candidates. */
    private static String unschedulable(Cdb cdb, String localNode) {
        List<String> out = new ArrayList<>();
        for (ObjectKey k : cdb.reportedKeys(ObjectType.NODE)) {
            if (!NodeSchedule.schedulable(cdb, k.id())) {
                out.add(k.id());
            }
        }
        List<String> syncing = new ArrayList<>();
        for (ObjectKey k : cdb.reportedKeys(ObjectType.NODE)) {
            if (!k.id().equals(localNode) && syncing(cdb, k.id())) {
                syncing.add(k.id());
            }
        }
        return (out.isEmpty() ? "" : "; not considered (rule unschedulable, acp node resume): " + String.join(", ", out))
                + (syncing.isEmpty() ? "" : "; not considered (rule syncing, still catching up with the cluster): " + String.join(", ", syncing));
    }

    /** The node's own meta of {@code node/<n>} says {@code readiness: syncing}. */
    static boolean syncing(Cdb cdb, String node) {
        return cdb.meta(ObjectKey.of(ObjectType.NODE, node), node).stream()
                .anyMatch(m -> "syncing".equals(m.values().path("readiness").asText(null)));
    }

    private static boolean fresh(Cdb cdb, String node, long nowMillis) {
        List<StatsEntry> s = cdb.stats(ObjectKey.of(ObjectType.NODE, node), node);
        return !s.isEmpty() && nowMillis - s.get(0).version().millis() <= STALE.toMillis();
    }

    /** The framework publishes each service's state as meta of {@code service/<node>:<name>}. */
    private static boolean runsHypervisor(Cdb cdb, String node) {
        List<MetaEntry> m = cdb.meta(ObjectKey.of(ObjectType.SERVICE, node + ":hypervisor"), node);
        return !m.isEmpty() && "running".equals(m.get(0).values().path("state").asText());
    }

    /** Memory (bytes) and vcpus of the systems assigned to {@code node} that it reports running or paused. */
    private static double[] reserved(Cdb cdb, String node, String except) {
        double[] r = new double[2];
        for (ObjectEntry e : cdb.objects(ObjectQuery.ofType(ObjectType.SYSTEM))) {
            if (e.id().equals(except) || !node.equals(e.spec().path("node").asText(null))) {
                continue;
            }
            List<MetaEntry> m = cdb.meta(e.key(), node);
            String state = m.isEmpty() ? "" : m.get(0).values().path("state").asText();
            if (state.equals("running") || state.equals("paused")) {
                r[0] += e.spec().path("memory").asDouble() * MIB;
                r[1] += e.spec().path("vcpus").asDouble();
            }
        }
        return r;
    }
}
