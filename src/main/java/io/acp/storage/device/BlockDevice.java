package io.acp.storage.device;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.util.List;

/**
 * A block device as sysfs shows it.
 *
 * @param usedBy why it is in use, in words ("mounted at /", "held by dm-0", "LVM PV of vg0"); empty if free
 */
record BlockDevice(String name, long sizeBytes, String model, boolean rotational, List<String> partitions, List<String> usedBy) {

    boolean inUse() {
        return !usedBy.isEmpty();
    }

    /** The object spec: what identifies the device and does not change while it is attached. */
    ObjectNode spec(String nodeId) {
        ObjectNode o = Json.object();
        o.put("node", nodeId);
        o.put("name", name);
        o.put("model", model);
        o.put("rotational", rotational);
        return o;
    }

    /** Meta of a present device. */
    ObjectNode meta() {
        ObjectNode o = Json.object();
        o.put("state", "present");
        o.put("size", sizeBytes);
        o.put("inUse", inUse());
        usedBy.forEach(o.putArray("usedBy")::add);
        partitions.forEach(o.putArray("partitions")::add);
        return o;
    }
}
