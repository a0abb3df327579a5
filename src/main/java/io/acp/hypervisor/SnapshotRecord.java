package io.acp.hypervisor;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.time.Instant;

/**
 * One snapshot of a system as the node that holds it records it in the CDB (its meta of the
 * system, {@code snapshots}).
 *
 * @param parent    the snapshot this one was taken on top of (the current one then), or null for the first
 * @param memory    whether it holds the guest's memory state: a revert resumes the guest where it was
 * @param state     the system's state when it was taken: running, paused or stopped
 * @param createdAt seconds since the epoch, as libvirt recorded it
 * @param consistency what its disks hold: {@code application} (the guest agent froze the file systems
 *                  while it was taken), {@code crash} (a running guest, no agent answered: as after a
 *                  power cut), {@code powered-off} (a stopped system); null when not recorded (libvirt
 *                  keeps no such field: the node keeps it in its meta from the moment it took the snapshot)
 */
public record SnapshotRecord(String name, String parent, boolean memory, String state, long createdAt, String description, String consistency) {

    static final String APPLICATION = "application";
    static final String CRASH = "crash";
    static final String POWERED_OFF = "powered-off";

    SnapshotRecord withConsistency(String c) {
        return new SnapshotRecord(name, parent, memory, state, createdAt, description, c);
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.object().put("name", name);
        if (parent == null) {
            o.putNull("parent");
        } else {
            o.put("parent", parent);
        }
        o.put("memory", memory).put("state", state).put("createdAt", Instant.ofEpochSecond(createdAt).toString());
        if (description != null && !description.isEmpty()) {
            o.put("description", description);
        }
        if (consistency != null) {
            o.put("consistency", consistency);
        }
        return o;
    }
}
