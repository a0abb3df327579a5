package io.acp.ha;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.hypervisor.HypervisorService;
import io.acp.hypervisor.SystemSpec;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectType;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * This node's HA systems through the hypervisor service. What runs here is what libvirt lists
 * here, refreshed by {@link #refresh}, plus the starts and stops asked since. A start of a system the CDB still assigns elsewhere first rewrites its
 * {@code node} to this one (the ownership group already moved it); a stop is the hypervisor's
 * fencing destroy, which ignores the assignment.
 */
final class HypervisorHaSystems implements HaSystems {

    private static final Logger LOG = Logger.getLogger(HypervisorHaSystems.class);

    private final String nodeId;
    private final Cdb cdb;
    private final HypervisorService hypervisor;
    private final HaMeta meta;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Set<String> starting = ConcurrentHashMap.newKeySet();
    /** The VMM processes of the HA systems seen running at the last refresh, for the fence guard. */
    private volatile List<VmmProcess> vmms = List.of();

    HypervisorHaSystems(String nodeId, Cdb cdb, HypervisorService hypervisor, HaMeta meta) {
        this.nodeId = nodeId;
        this.cdb = cdb;
        this.hypervisor = hypervisor;
        this.meta = meta;
    }

    @Override
    public Set<String> running() {
        return new TreeSet<>(running);
    }

    /**
     * Reads from libvirt (the hypervisor's live list, not meta: a node's meta synced back to it
     * after a restart may still say "running" for a domain that died with the old process) which HA
     * systems with an owner in the lease table ({@code owned}: this member's view) run or are paused
     * here; answers how many. A new HA system is left alone until its node's claim has committed: no
     * other node can own it before then (only its assigned node claims an unowned system), and
     * fencing must not kill it in the second after its create.
     */
    Uni<Integer> refresh(Set<String> owned) {
        // only the owned HA systems: this runs every second, and on QEMU each status read is a
        // round trip to libvirtd on the hypervisor's thread
        return hypervisor.systems().list(e -> e.spec().path("ha").asBoolean(false) && owned.contains(e.id()))
                .map(list -> seen(list, owned));
    }

    private int seen(JsonNode list, Set<String> owned) {
        Set<String> ha = new TreeSet<>();
        for (ObjectEntry e : cdb.objects(ObjectQuery.ofType(ObjectType.SYSTEM))) {
            if (e.spec().path("ha").asBoolean(false) && owned.contains(e.id())) {
                ha.add(e.id());
            }
        }
        Set<String> seen = new TreeSet<>();
        List<VmmProcess> processes = new java.util.ArrayList<>();
        for (JsonNode s : list) {
            String state = s.path("state").asText();
            if (ha.contains(s.path("id").asText()) && nodeId.equals(s.path("node").asText()) && (state.equals("running") || state.equals("paused"))) {
                seen.add(s.path("id").asText());
                long pid = s.path("vmm").path("pid").asLong(0);
                if (pid > 0) {
                    VmmProcess.of(pid).ifPresent(processes::add);
                }
            }
        }
        vmms = List.copyOf(processes);
        running.removeIf(id -> !seen.contains(id) && !starting.contains(id));
        running.addAll(seen);
        return seen.size();
    }

    /**
     * The VMM processes (qemu) of this node's running HA systems at the last {@link #refresh}, from
     * the {@code vmm} field the hypervisor publishes in meta; none on drivers without a VMM process.
     */
    List<VmmProcess> vmms() {
        return vmms;
    }

    @Override
    public void start(String system) {
        if (!starting.add(system)) {
            return;
        }
        running.add(system);
        ObjectEntry e = cdb.object(io.acp.model.ObjectKey.of(ObjectType.SYSTEM, system)).orElse(null);
        if (e == null) {
            starting.remove(system);
            running.remove(system);
            return;
        }
        String previous = e.spec().path("node").asText(null);
        java.time.Instant asked = java.time.Instant.now();
        assignHere(e)
                .chain(() -> hypervisor.systems().start(system))
                .subscribe().with(
                        done -> {
                            starting.remove(system);
                            boolean moved = previous != null && !previous.equals(nodeId);
                            meta.write(system, moved ? HaMeta.State.RELOCATED : HaMeta.State.STARTED,
                                    moved ? "moved from node " + previous + " to node " + nodeId + ": node " + previous + "'s HA lease expired" : null, asked);
                            LOG.infof("HA system %s %s on node %s", system, moved ? "relocated from node " + previous : "started", nodeId);
                        },
                        failure -> {
                            starting.remove(system);
                            running.remove(system);
                            meta.write(system, HaMeta.State.ERROR, "node " + nodeId + " owns the system but could not start it: " + failure.getMessage());
                            LOG.warnf("node %s could not start HA system %s: %s", nodeId, system, failure.getMessage());
                        });
    }

    private Uni<?> assignHere(ObjectEntry e) {
        JsonNode spec = e.spec();
        if (nodeId.equals(spec.path("node").asText(null))) {
            return Uni.createFrom().voidItem();
        }
        SystemSpec mine = SystemSpec.parse(e.id(), spec).withNode(nodeId);
        return cdb.putObject(e.key(), e.subtype(), mine.toJson(), e.version());
    }

    @Override
    public Set<String> held() {
        try {
            return hypervisor.systems().inMigration();
        } catch (RuntimeException notRunning) {
            return Set.of(); // no hypervisor: no migration under way here
        }
    }

    @Override
    public void stop(String system) {
        running.remove(system);
        starting.remove(system);
        hypervisor.systems().fence(system)
                .subscribe().with(
                        done -> {
                            meta.write(system, HaMeta.State.FENCED, "node " + nodeId + " holds no HA lease for it (lease lost, or the system moved)");
                            LOG.warnf("node %s fenced HA system %s", nodeId, system);
                        },
                        failure -> LOG.errorf("node %s could not destroy HA system %s while fencing: %s", nodeId, system, failure.getMessage()));
    }
}
