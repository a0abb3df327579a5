package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.model.ObjectType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Where an evacuated system goes. The rules, each named in what an evacuation reports:
 * <ul>
 * <li>{@code local-disk}: a system with disks moves only when this node vouches that they are on
 * storage every node reaches at the same path ({@code acp.hypervisor.migration-shared-storage});
 * disks are never copied.</li>
 * <li>{@code target-devices}: the target must report every pool the system's disks use as usable and
 * every ACP network its interfaces use as up (its meta in the CDB).</li>
 * <li>{@code no-target}: among the other schedulable nodes with fresh stats and a running hypervisor
 * ({@link Placement}), one must have the devices and memory for it; the least loaded (most free
 * memory, then cpus) is chosen. With {@code --to} only that node is considered.</li>
 * </ul>
 */
final class EvacuationTargets {

    private static final double MIB = 1024.0 * 1024.0;

    private final Cdb cdb;
    private final String nodeId;
    private final boolean sharedStorage;

    /** A target, or the rule and reason why there is none. */
    record Choice(String target, String rule, String reason) {
        static Choice none(String rule, String reason) {
            return new Choice(null, rule, reason);
        }
    }

    EvacuationTargets(Cdb cdb, String nodeId, boolean sharedStorage) {
        this.cdb = cdb;
        this.nodeId = nodeId;
        this.sharedStorage = sharedStorage;
    }

    Choice choose(SystemSpec spec, String forced, long nowMillis) {
        if (!spec.disks().isEmpty() && !sharedStorage) {
            return Choice.none("local-disk", "system " + spec.id() + " has disks (" + disks(spec) + ") and node " + nodeId
                    + " does not vouch that they are on shared storage (acp.hypervisor.migration-shared-storage=false); disks are never copied: "
                    + "move or delete them, or stop and delete the system");
        }
        if (forced != null) {
            Optional<String> missing = missingDevices(spec, forced);
            if (missing.isPresent()) {
                return Choice.none("target-devices", "node " + forced + " (--to) " + missing.get());
            }
            if (!NodeSchedule.schedulable(cdb, forced)) {
                return Choice.none("unschedulable", "node " + forced + " (--to) is unschedulable itself");
            }
            return new Choice(forced, null, null);
        }
        double needed = spec.memoryMiB() * MIB;
        List<String> refused = new ArrayList<>();
        List<Placement.Room> fit = new ArrayList<>();
        for (Placement.Room r : Placement.rooms(cdb, nodeId, spec.id(), nowMillis)) {
            if (r.node().equals(nodeId)) {
                continue;
            }
            Optional<String> missing = missingDevices(spec, r.node());
            if (missing.isPresent()) {
                refused.add("node " + r.node() + " " + missing.get());
            } else if (!r.known() || r.freeMemory() < needed) {
                refused.add(r.describe() + " (needs " + spec.memoryMiB() + " MiB)");
            } else {
                fit.add(r);
            }
        }
        return fit.stream()
                .min(Comparator.comparing(Placement.Room::freeMemory, Comparator.reverseOrder())
                        .thenComparing(Placement.Room::freeCpus, Comparator.reverseOrder())
                        .thenComparing(Placement.Room::node))
                .map(r -> new Choice(r.node(), null, null))
                .orElseGet(() -> Choice.none("no-target", "no other schedulable node with fresh stats and a running hypervisor can take system "
                        + spec.id() + (refused.isEmpty() ? " (there is none)" : ": " + String.join("; ", refused))));
    }

    /** What {@code node} lacks of the pools and ACP networks {@code spec} uses, if anything. */
    private Optional<String> missingDevices(SystemSpec spec, String node) {
        List<String> missing = new ArrayList<>();
        for (SystemSpec.Disk d : spec.disks()) {
            if (d.pool() != null) {
                JsonNode m = DeviceSources.meta(cdb, ObjectType.STORAGE, d.pool(), node);
                if (m == null || !DeviceSources.USABLE_POOL.contains(m.path("state").asText())) {
                    missing.add("pool " + d.pool() + (m == null ? " (not reported)" : " (" + m.path("state").asText("no state") + ")"));
                }
            }
        }
        for (SystemSpec.Nic n : spec.interfaces()) {
            if (n.network() != null) {
                JsonNode m = DeviceSources.meta(cdb, ObjectType.NETWORK, n.network(), node);
                if (m == null || !"up".equals(m.path("state").asText())) {
                    missing.add("network " + n.network() + (m == null ? " (not reported)" : " (" + m.path("state").asText("no state") + ")"));
                }
            }
        }
        return missing.isEmpty() ? Optional.empty() : Optional.of("lacks " + String.join(", ", missing));
    }

    private static String disks(SystemSpec spec) {
        List<String> out = new ArrayList<>();
        for (SystemSpec.Disk d : spec.disks()) {
            out.add(d.path() != null ? d.path() : "pool " + d.pool() + " volume " + d.volume());
        }
        return String.join(", ", out);
    }
}
