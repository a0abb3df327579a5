package io.acp.hypervisor;

import io.acp.cluster.Cdb;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's view of each system, written to the CDB as meta whenever it changes. Operations,
 * libvirt events (on libvirt's thread) and the reconcile all report here; a report equal to the
 * last one is not written again.
 */
final class SystemReports {

    private final String nodeId;
    private final Cdb cdb;
    private final Clock clock;
    private final Map<String, SystemReport> last = new ConcurrentHashMap<>();
    /** The VMM last seen per system: a reconcile that sees the domain shut off before libvirt's crash event drops it from the report. */
    private final Map<String, Vmm> lastVmm = new ConcurrentHashMap<>();
    /** Systems being deleted: their late events must not write meta after the delete. */
    private final Set<String> retired = ConcurrentHashMap.newKeySet();

    SystemReports(String nodeId, Cdb cdb, Clock clock) {
        this.nodeId = nodeId;
        this.cdb = cdb;
        this.clock = clock;
    }

    /**
     * Reports what the hypervisor says of a system's domain (empty: no domain here). A failure stays
     * reported while the domain is shut off: libvirt's state says "shut off", not why, and the
     * operator should see that the VMM crashed until the system is started again.
     */
    SystemReport observed(String id, Optional<DomainStatus> domain) {
        SystemState state = domain.map(DomainStatus::state).orElse(SystemState.STOPPED);
        SystemReport before = last.get(id);
        if (before != null && before.state() == SystemState.FAILED && state == SystemState.STOPPED && domain.isPresent()) {
            return before;
        }
        return report(id, state, domain.isPresent());
    }

    /** Applies a lifecycle event; events of domains that are not systems are ignored. */
    void event(String id, DomainEventKind kind) {
        if (!isSystem(id)) {
            return;
        }
        SystemReport before = last.get(id);
        switch (kind) {
            case UNDEFINED -> report(id, SystemState.STOPPED, false);
            case DEFINED -> report(id, before != null && before.loaded() ? before.state() : SystemState.STOPPED, true);
            case CRASHED -> crashed(id, "its VMM ended unexpectedly (libvirt reports the domain crashed)");
            default -> report(id, kind.state(), true);
        }
    }

    /** A report of state and loadedness; a VMM already known stays in it while the system runs or is paused. */
    synchronized SystemReport report(String id, SystemState state, boolean loaded) {
        SystemReport before = last.get(id);
        boolean active = state == SystemState.RUNNING || state == SystemState.PAUSED;
        return report(id, state, loaded, active && before != null ? before.vmm() : null, null);
    }

    /** The system's VMM process as just seen; ignored unless the system is reported running or paused. */
    synchronized void vmm(String id, Vmm vmm) {
        SystemReport before = last.get(id);
        if (before != null && (before.state() == SystemState.RUNNING || before.state() == SystemState.PAUSED)) {
            lastVmm.put(id, vmm);
            report(id, before.state(), before.loaded(), vmm, before.reason());
        }
    }

    /** The system failed (its VMM crashed): state failed, with why, and its VMM marked crashed. */
    synchronized SystemReport crashed(String id, String reason) {
        SystemReport before = last.get(id);
        Vmm known = before != null && before.vmm() != null ? before.vmm() : lastVmm.get(id);
        Vmm vmm = known != null ? known.crashed() : null;
        return report(id, SystemState.FAILED, true, vmm, reason);
    }

    private SystemReport report(String id, SystemState state, boolean loaded, Vmm vmm, String reason) {
        SystemReport before = last.get(id);
        boolean same = before != null && before.sameAs(state, loaded);
        if (same && before.sameDetails(vmm, reason)) {
            return before;
        }
        SystemReport now = new SystemReport(state, loaded, nodeId, same ? before.since() : clock.instant(), vmm, reason);
        if (!retired.contains(id) && isSystem(id)) { // a late event of a deleted system must not bring its meta back
            last.put(id, now);
            // The HA service keeps its "ha" state in the same meta (io.acp.ha); a report keeps it.
            cdb.updateMeta(key(id), old -> {
                com.fasterxml.jackson.databind.node.ObjectNode next = now.toJson();
                if (old.has("ha")) {
                    next.set("ha", old.get("ha"));
                }
                return next;
            });
        }
        return now;
    }

    Optional<SystemReport> last(String id) {
        return Optional.ofNullable(last.get(id));
    }

    /** Systems this node has reported on. */
    List<String> known() {
        return List.copyOf(last.keySet());
    }

    /**
     * Stops reporting a system that is being deleted. Synchronized with {@link #report}, so no
     * report of it is half-way written once this returns.
     */
    synchronized void retire(String id) {
        retired.add(id);
        last.remove(id);
        lastVmm.remove(id);
    }

    /** Reports on the system again: its delete failed, or it is created anew. */
    void reinstate(String id) {
        retired.remove(id);
    }

    boolean isSystem(String id) {
        try {
            return cdb.object(key(id)).isPresent();
        } catch (IllegalArgumentException notAnId) {
            return false;
        }
    }

    static ObjectKey key(String id) {
        return new ObjectKey(ObjectType.SYSTEM, id);
    }
}
