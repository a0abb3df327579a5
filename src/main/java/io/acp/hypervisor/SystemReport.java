package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.time.Instant;
import java.util.Objects;

/**
 * What this node reports as a system's meta: {@code {"state", "loaded", "node", "since"}}, plus
 * {@code "vmm"} where the system's VMM is a process of this node (see {@link Vmm}) and {@code "reason"}
 * when it failed, {@code "migration"} while this node takes part in a migration of it ({@link MigrationStep}).
 * {@code since} is when the state or loadedness last changed, not when it was last reported.
 */
public record SystemReport(SystemState state, boolean loaded, String node, Instant since, Vmm vmm, String reason, MigrationStep migration) {

    public SystemReport(SystemState state, boolean loaded, String node, Instant since) {
        this(state, loaded, node, since, null, null, null);
    }

    /** The same observation at a later time keeps its {@code since}. */
    boolean sameAs(SystemState otherState, boolean otherLoaded) {
        return state == otherState && loaded == otherLoaded;
    }

    SystemReport withVmm(Vmm other) {
        return new SystemReport(state, loaded, node, since, other, reason, migration);
    }

    boolean sameDetails(Vmm otherVmm, String otherReason, MigrationStep otherMigration) {
        return Objects.equals(vmm, otherVmm) && Objects.equals(reason, otherReason) && Objects.equals(migration, otherMigration);
    }

    /** Every meta field a report writes; the rest of a system's meta (snapshots, HA) belongs to other writers. */
    public static final java.util.List<String> FIELDS = java.util.List.of("state", "loaded", "node", "since", "vmm", "reason", "migration");

    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("state", state.wireName());
        o.put("loaded", loaded);
        o.put("node", node);
        o.put("since", since.toString());
        if (vmm != null) {
            o.set("vmm", vmm.toJson());
        }
        if (reason != null) {
            o.put("reason", reason);
        }
        if (migration != null) {
            o.set("migration", migration.toJson());
        }
        return o;
    }
}
