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

    /** Meta fields {@link SystemSnapshots} writes beside the report, kept when the report changes. */
    static final String SNAPSHOTS = "snapshots";
    static final String CURRENT_SNAPSHOT = "currentSnapshot";

    /** The meta field that lists the spec fields waiting for the domain's next start (see {@link SystemEdits}). */
    static final String PENDING = "pending";

    private final String nodeId;
    private final Cdb cdb;
    private final Clock clock;
    private final Map<String, SystemReport> last = new ConcurrentHashMap<>();
    /** The VMM last seen per system: a reconcile that sees the domain shut off before libvirt's crash event drops it from the report. */
    private final Map<String, Vmm> lastVmm = new ConcurrentHashMap<>();
    /** Each migration this node takes part in, by system: written into every report of it, and so kept in the CDB. */
    private final Map<String, MigrationStep> migrations = new ConcurrentHashMap<>();
    /** Systems being deleted: their late events must not write meta after the delete. */
    private final Set<String> retired = ConcurrentHashMap.newKeySet();

    private final MigrationRecords records;

    SystemReports(String nodeId, Cdb cdb, Clock clock) {
        this(nodeId, cdb, clock, new MigrationRecords(null));
    }

    SystemReports(String nodeId, Cdb cdb, Clock clock, MigrationRecords records) {
        this.nodeId = nodeId;
        this.cdb = cdb;
        this.clock = clock;
        this.records = records;
    }

    /**
     * The status of system {@code id}'s domain here as {@code listing} reads it now, on the
     * hypervisor's thread. A domain reported as defined here but not listed may have been defined
     * by an operation since the listing (a start of a system whose domain was gone, a guest that
     * migrated in): it is looked up by name, not taken as gone.
     */
    Optional<DomainStatus> current(HypervisorBackend b, DomainListing listing, String id) {
        Optional<DomainStatus> listed = listing.read(id);
        if (listed.isEmpty() && last(id).map(SystemReport::loaded).orElse(false)) {
            return b.status(id);
        }
        return listed;
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
        MigrationStep migration = migrations.get(id);
        if (same && before.sameDetails(vmm, reason, migration)) {
            return before;
        }
        SystemReport now = new SystemReport(state, loaded, nodeId, same ? before.since() : clock.instant(), vmm, reason, migration);
        if (!retired.contains(id) && isSystem(id)) { // a late event of a deleted system must not bring its meta back
            last.put(id, now);
            cdb.updateMeta(key(id), old -> ownFieldsOnly(old, now.toJson()));
        }
        return now;
    }

    /**
     * Notes in this node's meta of {@code id} which spec fields its domain does not have yet
     * ({@code "pending": [fields]}, until its next start): {@code now} joins the fields already noted,
     * {@code live} (applied to the domain just now) leave them; none left removes the field. A start
     * that redefines the domain clears them ({@link #clearPending}).
     */
    void notePending(String id, java.util.Collection<String> now, java.util.Collection<String> live) {
        if (!reported(id)) {
            return;
        }
        cdb.updateMeta(key(id), old -> {
            java.util.Set<String> fields = new java.util.TreeSet<>();
            old.path(PENDING).forEach(f -> fields.add(f.asText()));
            fields.removeAll(live);
            fields.addAll(now);
            if (fields.isEmpty()) {
                old.remove(PENDING);
            } else {
                com.fasterxml.jackson.databind.node.ArrayNode a = old.putArray(PENDING);
                fields.forEach(a::add);
            }
            return old;
        });
    }

    /** The domain was just (re)defined from the spec and started: nothing is pending any more. */
    void clearPending(String id) {
        if (reported(id)) {
            cdb.updateMeta(key(id), old -> {
                old.remove(PENDING);
                return old;
            });
        }
    }

    /** This node reports on the system (its meta exists): pending fields go with the report, never alone. */
    private boolean reported(String id) {
        return !retired.contains(id) && isSystem(id) && !cdb.meta(key(id), nodeId).isEmpty();
    }

    /**
     * Records the step this node takes in a migration of {@code id} (null: the migration is over) on
     * this node's disk, then writes the report with it, before the step's effect can be seen elsewhere.
     * Blocks on the disk: call it on the hypervisor's thread.
     */
    synchronized void migration(String id, MigrationStep step) {
        records.write(id, step);
        if (step == null) {
            migrations.remove(id);
        } else {
            migrations.put(id, step);
        }
        SystemReport before = last.get(id);
        if (before != null) {
            report(id, before.state(), before.loaded(), before.vmm(), before.reason());
        } else {
            report(id, SystemState.STOPPED, false, null, null);
        }
    }

    /** Systems whose migration this node takes part in. */
    List<String> migrating() {
        return List.copyOf(migrations.keySet());
    }

    /**
     * Reads back the migrations this node recorded before it (re)started, so that it finishes them
     * and protects their copies; answers how many. From its disk; where it keeps none there (nodes in
     * a test JVM), from its meta as the CDB still holds it.
     */
    int restoreMigrations() {
        Map<String, MigrationStep> saved = records.load();
        if (!saved.isEmpty()) {
            migrations.putAll(saved);
            return saved.size();
        }
        int n = 0;
        for (io.acp.model.ObjectEntry e : cdb.objects(io.acp.cluster.ObjectQuery.ofType(ObjectType.SYSTEM))) {
            List<io.acp.model.MetaEntry> mine = cdb.meta(key(e.id()), nodeId);
            Optional<MigrationStep> m = mine.isEmpty() ? Optional.empty() : MigrationStep.of(mine.get(0).values());
            if (m.isPresent()) {
                migrations.put(e.id(), m.get());
                n++;
            }
        }
        return n;
    }

    /** The migration of {@code id} this node takes part in, as last recorded. */
    Optional<MigrationStep> migration(String id) {
        return Optional.ofNullable(migrations.get(id));
    }

    /** The current time, as this node records it. */
    java.time.Instant now() {
        return clock.instant();
    }

    /**
     * The system's meta with this report's fields replaced (one it leaves out, e.g. a reason that no
     * longer applies, removed) and every other writer's fields (snapshots, HA) kept as they are.
     */
    private static com.fasterxml.jackson.databind.node.ObjectNode ownFieldsOnly(com.fasterxml.jackson.databind.node.ObjectNode old,
            com.fasterxml.jackson.databind.node.ObjectNode report) {
        com.fasterxml.jackson.databind.node.ObjectNode merged = old.deepCopy();
        merged.remove(SystemReport.FIELDS);
        merged.setAll(report);
        return merged;
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
        migrations.remove(id);
    }

    /**
     * Forgets what was last reported of a system whose object is a tombstone: its delete already
     * dropped the meta everywhere, and a report of it is not written again while it is deleted
     * ({@link #isSystem}). Unlike {@link #retire}, a later put of the same id is reported as usual.
     */
    synchronized void forget(String id) {
        last.remove(id);
        lastVmm.remove(id);
        migrations.remove(id);
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
