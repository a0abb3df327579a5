package io.acp.storage.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.ObjectQuery;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.storage.common.MountTable;
import io.acp.storage.common.Probes;
import io.acp.storage.common.Reports;
import io.smallrye.mutiny.Uni;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * This node's block devices as {@code storage/<node>:<name>} objects of subtype {@code device}.
 * Discovery (sysfs, the mount table, LVM's PVs) writes the object when new or changed and meta
 * {@code present} with size, partitions and in-use; a device of this node that is no longer there
 * gets meta {@code gone}. Stats from /proc/diskstats every sample (see {@link DiskStats}).
 */
public final class Devices {

    private static final Logger LOG = Logger.getLogger(Devices.class);

    private final Reports reports;
    private final Probes probes;
    private final Duration timeout;
    private final BlockDevices sysfs;
    private final DiskStats diskStats;
    private final Path mountinfo;
    /** LVM's physical volumes (device path to volume group); the pool package owns LVM, devices only ask. */
    private final Callable<Map<String, String>> physicalVolumes;
    private volatile Set<String> present = Set.of();

    public Devices(Reports reports, Probes probes, Duration timeout, Path sysRoot, Path procRoot, Callable<Map<String, String>> physicalVolumes) {
        this.reports = reports;
        this.probes = probes;
        this.timeout = timeout;
        this.sysfs = new BlockDevices(sysRoot);
        this.diskStats = new DiskStats(procRoot);
        this.mountinfo = procRoot.resolve("self/mountinfo");
        this.physicalVolumes = physicalVolumes;
    }

    public static String id(String nodeId, String device) {
        return nodeId + ":" + device;
    }

    /**
     * Discovers devices and reports them; answers how many are present. Says each part to
     * {@code step} as it begins, so a slow start names the one it waits for.
     */
    public Uni<Integer> discover(Consumer<String> step) {
        step.accept("listing LVM physical volumes");
        Uni<Map<String, String>> pvs = probes.call("lvm:pvs", "pvs on node " + reports.nodeId(), timeout, physicalVolumes)
                .onFailure().recoverWithItem(f -> {
                    LOG.debugf("no LVM PVs on node %s: %s", reports.nodeId(), f.getMessage());
                    return Map.of();
                });
        return pvs.invoke(() -> step.accept("scanning block devices"))
                .chain(pv -> probes.call("devices", "device discovery on node " + reports.nodeId(), timeout,
                        () -> sysfs.scan(MountTable.read(mountinfo), pv)))
                .chain(found -> report(found, step));
    }

    private Uni<Integer> report(List<BlockDevice> found, Consumer<String> step) {
        String node = reports.nodeId();
        Set<String> names = new HashSet<>();
        Uni<Void> writes = Uni.createFrom().voidItem();
        for (BlockDevice d : found) {
            names.add(d.name());
            ObjectKey key = Reports.key(id(node, d.name()));
            ObjectNode spec = d.spec(node);
            boolean changed = reports.cdb().object(key).map(e -> !e.spec().equals(spec)).orElse(true);
            if (changed) {
                int n = found.size();
                int k = names.size();
                writes = writes.chain(() -> {
                    step.accept("storing device object " + key + " (" + k + " of " + n + " devices)");
                    return reports.cdb().putObject(key, "device", spec, null).replaceWithVoid();
                });
            }
            reports.meta(key, d.meta());
        }
        for (ObjectEntry e : mine()) {
            String name = e.spec().path("name").asText();
            if (!names.contains(name)) {
                ObjectNode extra = Json.object();
                reports.problem(e.key(), "gone", "device " + name + " is no longer present on node " + node, extra);
            }
        }
        present = Set.copyOf(names);
        return writes.replaceWith(names.size());
    }

    /** Samples I/O counters of every present device; answers how many got stats. */
    public Uni<Integer> sample() {
        return probes.call("diskstats", "/proc/diskstats on node " + reports.nodeId(), timeout, diskStats::sample).map(all -> {
            int n = 0;
            for (String name : present) {
                Map<String, Double> v = all.get(name);
                if (v != null) {
                    reports.stats(Reports.key(id(reports.nodeId(), name)), v);
                    n++;
                }
            }
            return n;
        });
    }

    /** Device objects of this node (present or gone). */
    List<ObjectEntry> mine() {
        return reports.cdb().objects(new ObjectQuery(ObjectType.STORAGE, "device", null, null, false)).stream()
                .filter(e -> e.spec().path("node").asText().equals(reports.nodeId())).toList();
    }
}
