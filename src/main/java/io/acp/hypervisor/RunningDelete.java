package io.acp.hypervisor;

import io.acp.cluster.Cdb;
import io.acp.model.MetaEntry;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;

/**
 * Rule running-delete: a system that runs or is paused is not deleted unless the caller said
 * {@code force}. A mistyped delete must not pull the plug of a running guest, as Proxmox VE and
 * Incus ask for a running guest to be stopped before it is destroyed. Both ways of deleting a
 * system keep it: {@code hypervisor.delete} asks libvirt on the system's node, {@code cluster.delete}
 * (which any node answers) reads the nodes' reports in the CDB.
 */
public final class RunningDelete {

    private RunningDelete() {
    }

    /** Whether a guest in {@code state} is what a mistyped delete would lose (a failed one has already stopped). */
    static boolean guards(SystemState state) {
        return state == SystemState.RUNNING || state == SystemState.PAUSED;
    }

    /** {@link #guards} of a state as a report words it. */
    private static boolean guarded(String wireName) {
        for (SystemState s : SystemState.values()) {
            if (s.wireName().equals(wireName)) {
                return guards(s);
            }
        }
        return false;
    }

    /** The refusal of {@code hypervisor.delete}, which saw the domain on {@code node}. */
    static AcpException refusal(String id, SystemState state, String node) {
        return new AcpException(ErrorCode.CONFLICT, "rule running-delete: system " + id + " is " + state.wireName() + " on node " + node
                + "; stop it first (acp system stop " + id + "), or delete it with force (acp system delete " + id
                + " --force), which stops it at once as a pulled plug would");
    }

    /**
     * Refuses {@code cluster.delete} of system {@code id} while a node reports it running or paused.
     * Without this the object's tombstone would make its node remove a guest that runs (see
     * {@link SystemMonitor}). A report may be stale (its node is down for good): force then deletes
     * the object all the same, and the node removes the guest if it ever comes back.
     */
    public static void requireNotRunning(Cdb cdb, String id) {
        for (MetaEntry m : cdb.meta(SystemReports.key(id), null)) {
            String state = m.values().path("state").asText("");
            if (guarded(state)) {
                throw new AcpException(ErrorCode.CONFLICT, "rule running-delete: node " + m.node() + " reports system " + id + " " + state
                        + "; stop it first (acp system stop " + id + "), or delete it with force (acp system delete " + id
                        + " --force, or acp delete system " + id + " --force if node " + m.node()
                        + " is gone for good), which stops it at once as a pulled plug would");
            }
        }
    }
}
