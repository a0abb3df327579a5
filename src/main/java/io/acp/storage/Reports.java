package io.acp.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's meta and stats of storage objects. Meta is written only when it changed (it is
 * replicated to every node); stats every sample.
 */
final class Reports {

    private final Cdb cdb;
    private final String nodeId;
    private final Map<ObjectKey, ObjectNode> written = new ConcurrentHashMap<>();

    Reports(Cdb cdb) {
        this.cdb = cdb;
        this.nodeId = cdb.localNode();
    }

    static ObjectKey key(String id) {
        return new ObjectKey(ObjectType.STORAGE, id);
    }

    /** Writes meta if it differs from what this node last wrote; answers it. */
    ObjectNode meta(ObjectKey key, ObjectNode values) {
        ObjectNode before = written.get(key);
        if (before == null || !before.equals(values)) {
            written.put(key, values.deepCopy());
            cdb.putMeta(key, values);
        }
        return values;
    }

    /** Meta of a state that is not ok: {@code {"state", "problem", ...extra}}. */
    ObjectNode problem(ObjectKey key, String state, String problem, ObjectNode extra) {
        ObjectNode o = Json.object();
        o.put("state", state);
        o.setAll(extra);
        o.put("problem", problem);
        return meta(key, o);
    }

    void stats(ObjectKey key, Map<String, Double> values) {
        cdb.putStats(key, values);
    }

    /** The meta this node last reported for {@code key}, from the CDB. */
    Optional<ObjectNode> current(ObjectKey key) {
        return cdb.meta(key, nodeId).stream().findFirst().map(MetaEntry::values);
    }

    /** Forgets what was written for a deleted object, so a new one with the same id is reported afresh. */
    void forget(ObjectKey key) {
        written.remove(key);
    }

    String nodeId() {
        return nodeId;
    }

    Cdb cdb() {
        return cdb;
    }
}
