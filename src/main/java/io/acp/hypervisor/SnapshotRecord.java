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
 */
public record SnapshotRecord(String name, String parent, boolean memory, String state, long createdAt, String description) {

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
        return o;
    }
}
