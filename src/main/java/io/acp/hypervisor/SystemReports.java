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
    /** Systems being deleted: their late events must not write meta after the delete. */
    private final Set<String> retired = ConcurrentHashMap.newKeySet();

    SystemReports(String nodeId, Cdb cdb, Clock clock) {
        this.nodeId = nodeId;
        this.cdb = cdb;
        this.clock = clock;
    }

    /** Reports what the hypervisor says of a system's domain (empty: no domain here). */
    SystemReport observed(String id, Optional<DomainStatus> domain) {
        return report(id, domain.map(DomainStatus::state).orElse(SystemState.STOPPED), domain.isPresent());
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
            default -> report(id, kind.state(), true);
        }
    }

    synchronized SystemReport report(String id, SystemState state, boolean loaded) {
        SystemReport before = last.get(id);
        if (before != null && before.sameAs(state, loaded)) {
            return before;
        }
        SystemReport now = new SystemReport(state, loaded, nodeId, clock.instant());
        if (!retired.contains(id) && isSystem(id)) { // a late event of a deleted system must not bring its meta back
            last.put(id, now);
            cdb.putMeta(key(id), now.toJson());
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
