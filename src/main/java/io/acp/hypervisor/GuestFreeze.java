package io.acp.hypervisor;

import java.time.Duration;
import java.util.OptionalInt;
import org.jboss.logging.Logger;

/**
 * The guest agent's file-system freeze around a snapshot of a running system (application-consistent
 * disks), and the thaw a revert to such a snapshot needs: its memory image holds the frozen guest.
 * Called on the hypervisor's thread, like the backend it uses.
 */
final class GuestFreeze {

    /** How long the guest agent has to answer a freeze or a thaw: an agent that answers at all does so within milliseconds. */
    private static final Duration AGENT_WAIT = Duration.ofSeconds(5);
    /**
     * How long a guest just brought back from a frozen memory image has to answer the thaw, per
     * attempt: it first has to run again (under emulation on a busy node, seconds), and until it
     * answers its file systems stay frozen.
     */
    private static final Duration THAW_AFTER_REVERT_WAIT = Duration.ofSeconds(20);
    private static final int THAW_AFTER_REVERT_ATTEMPTS = 3;
    private static final Logger LOG = Logger.getLogger(GuestFreeze.class);

    private final String nodeId;

    GuestFreeze(String nodeId) {
        this.nodeId = nodeId;
    }

    /**
     * Takes the snapshot, inside a file-system freeze when the system runs and its guest agent
     * answers; thaws whatever happens to the snapshot. Answers the snapshot's consistency.
     */
    String snapshot(String id, HypervisorBackend b, SystemState state, String request) {
        if (state == SystemState.STOPPED) {
            b.createSnapshot(id, request);
            return SnapshotRecord.POWERED_OFF;
        }
        // a paused guest's agent cannot answer: no wait for it
        OptionalInt frozen = state == SystemState.RUNNING ? b.freezeFilesystems(id, AGENT_WAIT) : OptionalInt.empty();
        try {
            b.createSnapshot(id, request);
        } finally {
            if (frozen.isPresent()) {
                thaw(id, b);
            }
        }
        return frozen.isPresent() ? SnapshotRecord.APPLICATION : SnapshotRecord.CRASH;
    }

    void thawAfterRevert(String id, HypervisorBackend b) {
        for (int attempt = 1; attempt <= THAW_AFTER_REVERT_ATTEMPTS; attempt++) {
            if (b.thawFilesystems(id, THAW_AFTER_REVERT_WAIT).isPresent()) {
                return;
            }
            LOG.debugf("the guest agent of system %s did not answer thaw attempt %d after the revert", id, attempt);
            if (attempt < THAW_AFTER_REVERT_ATTEMPTS) {
                // libvirt may see the restored guest's agent port close and open again: it answers "not connected" meanwhile
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        LOG.warnf("the guest agent of system %s on node %s did not answer the thaw after the revert to a snapshot taken frozen: its file"
                + " systems may stay frozen until 'guest-fsfreeze-thaw' reaches it", id, nodeId);
    }

    private void thaw(String id, HypervisorBackend b) {
        if (b.thawFilesystems(id, AGENT_WAIT).isEmpty()) {
            LOG.warnf("the guest agent of system %s on node %s did not answer the thaw: its file systems may stay frozen until"
                    + " 'guest-fsfreeze-thaw' reaches it", id, nodeId);
        }
    }
}
