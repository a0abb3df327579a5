package io.acp.hypervisor;

import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectType;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The periodic work of the hypervisor service: the reconcile, which compares every system with its
 * domain and repairs meta that missed an event (a domain that vanished, one started outside ACP),
 * and the stats sample of every running system. The reconcile also enforces that a system runs on
 * one node only: a domain here of a system assigned to another node (a claim that lost a race, a
 * node that was away during a migration) is stopped and undefined, unless a migration is handing it over.
 */
final class SystemMonitor {

    private static final Logger LOG = Logger.getLogger(SystemMonitor.class);
    private final String nodeId;
    private final Cdb cdb;
    private final Hypervisor hv;
    private final Handoffs handoffs;
    private final SystemReports reports;
    private final LongSupplier nanoTime;
    /** cpu time and wall time of each running system's previous sample, for cpu %. */
    private final Map<String, long[]> previous = new ConcurrentHashMap<>();
    /** Per sampled system: the block devices its spec names, as of the spec's version, so a sample parses a spec only once it changed. */
    private final Map<String, SpecDisks> specDisks = new ConcurrentHashMap<>();

    private record SpecDisks(io.acp.model.Version specVersion, List<String> targets) {
    }

    SystemMonitor(String nodeId, Cdb cdb, Hypervisor hv, Handoffs handoffs, SystemReports reports, LongSupplier nanoTime) {
        this.nodeId = nodeId;
        this.cdb = cdb;
        this.hv = hv;
        this.handoffs = handoffs;
        this.reports = reports;
        this.nanoTime = nanoTime;
    }

    /**
     * Reports every system whose domain differs from its last report; answers how many changed.
     * The domains are listed in one trip to the hypervisor's thread and judged {@link InParts},
     * each domain's status read in the part that judges it: on QEMU a status costs about 0.2 ms,
     * so a node with a thousand domains held every operation for 0.2 s per reconcile.
     */
    Uni<Integer> reconcile() {
        int[] changed = {0}; // only the hypervisor's thread writes it, one part after the other
        return hv.call(b -> new Round(cdb.objects(new ObjectQuery(ObjectType.SYSTEM, null, null, null, true)), b.listAll()))
                .chain(round -> InParts.walk(hv, round.systems(), (b, e) -> changed[0] += reconcile(b, round.domains(), e))
                        .onTermination().invoke(round.domains()::close))
                .map(done -> changed[0]);
    }

    /** What one reconcile judges: the systems of the CDB and the domains here, both as of its first trip. */
    private record Round(List<ObjectEntry> systems, DomainListing domains) {
    }

    /** Judges one system against its domain here, read now; 1 if its report changed. */
    private int reconcile(HypervisorBackend b, DomainListing listing, ObjectEntry e) {
        DomainStatus d = reports.current(b, listing, e.id()).orElse(null);
        if (e.deleted()) {
            return removeDeleted(b, e, d);
        }
        String owner = e.spec().path("node").asText(null);
        if (nodeId.equals(owner) && handoffs.active(e.id()) && !handoffs.blocks(e.id())) {
            handoffs.end(e.id()); // arrived, and the CDB here shows it: nothing left to protect
        }
        // A recorded migration protects its copy until it is finished (Migrations.recover).
        if (d != null && owner != null && !owner.equals(nodeId) && !handoffs.active(e.id()) && reports.migration(e.id()).isEmpty()) {
            removeStray(b, d, owner);
            d = null;
        }
        Optional<SystemReport> before = reports.last(e.id());
        if (d == null && before.isEmpty()) {
            return 0; // never here: nothing to say about it
        }
        SystemReport now = reports.observed(e.id(), Optional.ofNullable(d));
        return before.isEmpty() || before.get() != now ? 1 : 0;
    }

    /**
     * A system whose object was deleted through {@code cluster.delete} (hypervisor.delete removes
     * the domain itself first): its domain here goes too, as its delete asked, so no guest is left
     * that no node reports on. cluster.delete refused it while it ran unless forced (rule
     * running-delete); a node that was away then stops it now. Answers 1 if there was something here.
     */
    private int removeDeleted(HypervisorBackend b, ObjectEntry tombstone, DomainStatus d) {
        boolean reported = reports.last(tombstone.id()).isPresent();
        reports.forget(tombstone.id());
        if (d == null) {
            return reported ? 1 : 0;
        }
        // what the delete asked for (cluster.delete leaves the domain to its node), so not a warning
        LOG.infof("system %s was deleted (version %s by node %s) but has a %s domain on node %s: removing it", d.name(), tombstone.version(),
                tombstone.node(), d.state().wireName(), nodeId);
        remove(b, d);
        return 1;
    }

    private void removeStray(HypervisorBackend b, DomainStatus d, String owner) {
        LOG.warnf("system %s is assigned to node %s but has a %s domain on node %s: removing this node's copy", d.name(), owner,
                d.state().wireName(), nodeId);
        remove(b, d);
    }

    /** {@link Domains#remove}, forced; a failure is logged, not thrown. */
    private void remove(HypervisorBackend b, DomainStatus d) {
        try {
            Domains.remove(b, d.name(), true, nodeId);
        } catch (RuntimeException e) {
            // The other systems still get reconciled; the next reconcile tries again.
            LOG.errorf("system %s: node %s could not remove its domain: %s", d.name(), nodeId, e.getMessage());
        }
    }

    /**
     * One stats sample of every running system into the CDB. Which systems run is libvirt's
     * answer, not the reports': a report may lag its domain for a moment (a lifecycle event of the
     * domain's definition handled after its start was reported), and a system left out of one
     * sample would lose the previous sample its cpu share is measured from.
     */
    Uni<Integer> sampleStats() {
        List<String> known = List.copyOf(reports.known());
        long reportedRunning = known.stream().filter(id -> reports.last(id).map(r -> r.state() == SystemState.RUNNING).orElse(false)).count();
        Map<String, Double> node = new LinkedHashMap<>(NodeHugepages.read(java.nio.file.Path.of("/proc/meminfo")));
        node.put("systemsRunning", (double) reportedRunning);
        cdb.putStats(io.acp.model.ObjectKey.of(ObjectType.SERVICE, nodeId + ":hypervisor"), node);
        if (known.isEmpty()) {
            previous.clear();
            return Uni.createFrom().item(0);
        }
        // only running domains have stats: libvirt lists them and each is read on the handle it
        // was listed by, not looked up by name for its status and again for each counter
        // (thousands of stopped systems once held the hypervisor thread for 0.1 s a second)
        Set<String> sampled = new HashSet<>();
        return hv.call(b -> b.sampleRunning(known, this::diskTargets))
                .chain(sample -> Multi.createBy().repeating().uni(() -> readPart(sample, sampled)).whilst(Boolean::booleanValue)
                        .collect().last()
                        .onTermination().invoke(sample::close))
                .map(done -> {
                    previous.keySet().retainAll(sampled);
                    specDisks.keySet().retainAll(sampled);
                    return sampled.size();
                });
    }

    /**
     * One part of a sample, one trip to the hypervisor's thread of at most about
     * {@link InParts#PART} (and at least one system): what was queued behind it runs before the
     * next part. True if systems are left.
     */
    private Uni<Boolean> readPart(RunningSample sample, Set<String> sampled) {
        return hv.call(b -> sample.readSome(System.nanoTime() + InParts.PART.toNanos(), (id, s) -> {
            superviseVmm(id, s);
            Map<String, Double> v = values(id, s.status(), s.blocks(), s.interfaces());
            s.memory().forEach((k, kib) -> v.put("balloon" + Character.toUpperCase(k.charAt(0)) + k.substring(1), kib * 1024.0));
            cdb.putStats(SystemReports.key(id), v);
            sampled.add(id);
        }));
    }

    /**
     * The block devices of system {@code id}'s spec, whose counters a sample reads: parsed again
     * only when the spec's version changed (a parse of every running system's spec every second
     * was a tenth of a sample).
     */
    private List<String> diskTargets(String id) {
        Optional<ObjectEntry> object = cdb.object(SystemReports.key(id));
        if (object.isEmpty()) {
            return List.of();
        }
        SpecDisks known = specDisks.get(id);
        if (known != null && known.specVersion().equals(object.get().version())) {
            return known.targets();
        }
        List<String> targets = SystemSpec.parse(id, object.get().spec()).diskTargets();
        specDisks.put(id, new SpecDisks(object.get().version(), targets));
        return targets;
    }

    /**
     * Publishes the VMM process of a running system (pid, cgroup, and whether it answers its
     * monitor) when it is new or changed: a VMM that hangs is a fault of that system the monitor
     * raises an alarm for (rule vmmUnresponsive), not only a log line.
     */
    private void superviseVmm(String id, DomainSample s) {
        if (s.vmmPid().isEmpty()) {
            return;
        }
        Vmm.of(s.vmmPid().getAsLong()).map(vmm -> s.monitorAnswers() ? vmm : vmm.unresponsive()).ifPresent(vmm -> reports.vmm(id, vmm));
    }

    private Map<String, Double> values(String id, DomainStatus s, Map<String, long[]> blocks, Map<String, long[]> nics) {
        long now = nanoTime.getAsLong();
        Map<String, Double> v = new LinkedHashMap<>();
        v.put("cpuTime", s.cpuTimeNanos() / 1e9);
        long[] before = previous.put(id, new long[] {s.cpuTimeNanos(), now});
        if (before != null && now > before[1] && s.vcpus() > 0) {
            // Share of the system's vcpus busy since the last sample (0..1, like the node's cpu).
            double share = (double) (s.cpuTimeNanos() - before[0]) / ((now - before[1]) * (double) s.vcpus());
            v.put("cpu", Math.max(0, Math.min(1, share)));
        }
        v.put("vcpus", (double) s.vcpus());
        v.put("memory", s.memoryKiB() * 1024.0);
        v.put("maxMemory", s.maxMemoryKiB() * 1024.0);
        if (!blocks.isEmpty()) {
            v.put("diskReadBytes", (double) blocks.values().stream().mapToLong(b -> b[0]).sum());
            v.put("diskWriteBytes", (double) blocks.values().stream().mapToLong(b -> b[1]).sum());
        }
        if (!nics.isEmpty()) {
            v.put("netRxBytes", (double) nics.values().stream().mapToLong(n -> n[0]).sum());
            v.put("netTxBytes", (double) nics.values().stream().mapToLong(n -> n[1]).sum());
        }
        return v;
    }
}
