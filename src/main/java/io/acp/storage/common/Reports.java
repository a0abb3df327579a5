package io.acp.storage.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * This node's meta and stats of storage objects. Meta is written only when it changed (it is
 * replicated to every node); stats every sample.
 */
public final class Reports {

    private final Cdb cdb;
    private final String nodeId;
    private final Map<ObjectKey, ObjectNode> written = new ConcurrentHashMap<>();

    public Reports(Cdb cdb) {
        this.cdb = cdb;
        this.nodeId = cdb.localNode();
    }

    public static ObjectKey key(String id) {
        return new ObjectKey(ObjectType.STORAGE, id);
    }

    /** Writes meta if it differs from what this node last wrote; answers it. */
    public ObjectNode meta(ObjectKey key, ObjectNode values) {
        ObjectNode before = written.get(key);
        if (before == null || !before.equals(values)) {
            written.put(key, values.deepCopy());
            cdb.putMeta(key, values);
        }
        return values;
    }

    /** Meta of a state that is not ok: {@code {"state", "problem", ...extra}}. */
    public ObjectNode problem(ObjectKey key, String state, String problem, ObjectNode extra) {
        ObjectNode o = Json.object();
        o.put("state", state);
        o.setAll(extra);
        o.put("problem", problem);
        return meta(key, o);
    }

    /**
     * The parsed specs of this subtype's objects, in id order. An object whose spec does not parse
     * (written by a newer node, or by hand with {@code acp put}) gets meta {@code badState} with the reason.
     */
    public <T> List<T> specs(String subtype, BiFunction<String, JsonNode, T> parse, String badState) {
        List<T> out = new ArrayList<>();
        for (ObjectEntry e : cdb.objects(new ObjectQuery(ObjectType.STORAGE, subtype, null, null, false))) {
            try {
                out.add(parse.apply(e.id(), e.spec()));
            } catch (AcpException bad) {
                problem(e.key(), badState, bad.getMessage(), Json.object());
            }
        }
        return out;
    }

    /** Runs probes that answer whether they measured something, all at once; answers how many did. */
    public static Uni<Integer> countTrue(List<Uni<Boolean>> work) {
        return work.isEmpty() ? Uni.createFrom().item(0)
                : Uni.join().all(work).andCollectFailures().map(l -> (int) l.stream().filter(b -> b).count());
    }

    public void stats(ObjectKey key, Map<String, Double> values) {
        cdb.putStats(key, values);
    }

    /** The meta this node last reported for {@code key}, from the CDB. */
    public Optional<ObjectNode> current(ObjectKey key) {
        return cdb.meta(key, nodeId).stream().findFirst().map(MetaEntry::values);
    }

    /** Forgets what was written for a deleted object, so a new one with the same id is reported afresh. */
    public void forget(ObjectKey key) {
        written.remove(key);
    }

    public String nodeId() {
        return nodeId;
    }

    public Cdb cdb() {
        return cdb;
    }
}
