package io.acp.hypervisor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Whether a node takes new systems: a node being evacuated ({@code acp node evacuate}) is
 * <em>unschedulable</em> until {@code acp node resume}. The mark is field {@code unschedulable}
 * ({@code since}, {@code by}) of the node's object {@code node/<id>} in the CDB, so it is synced to
 * every node and survives restarts; the evacuation's progress is field {@code evacuation} of the same
 * object ({@link Evacuation}). Placement (create, HA failover) never chooses such a node, and a
 * create or migration that names it is refused with rule {@code unschedulable}.
 */
public final class NodeSchedule {

    static final String MARK = "unschedulable";
    static final String PROGRESS = "evacuation";

    private NodeSchedule() {
    }

    /** The mark on {@code node} ({@code since}, {@code by}), if it is unschedulable. */
    public static Optional<JsonNode> mark(Cdb cdb, String node) {
        return nodeObject(cdb, node).map(e -> e.spec().get(MARK)).filter(JsonNode::isObject);
    }

    /** True unless {@code node} is marked unschedulable in this node's CDB. */
    public static boolean schedulable(Cdb cdb, String node) {
        return mark(cdb, node).isEmpty();
    }

    /** CONFLICT naming the rule and the node, unless {@code node} is schedulable. */
    static void require(Cdb cdb, String node, String what) {
        mark(cdb, node).ifPresent(m -> {
            throw new AcpException(ErrorCode.CONFLICT, "rule unschedulable: cannot " + what + " on node " + node + ": it is unschedulable since "
                    + m.path("since").asText("?") + " (acp node evacuate by " + m.path("by").asText("?") + "); "
                    + "choose another node, or run 'acp node resume " + node + "' first");
        });
    }

    /** Marks {@code node} unschedulable (keeping the first mark's time); the progress is left as it is. */
    static Uni<ObjectEntry> markUnschedulable(Cdb cdb, String node, String by, Instant now) {
        return change(cdb, node, spec -> {
            if (!spec.path(MARK).isObject()) {
                spec.putObject(MARK).put("since", now.toString()).put("by", by);
            }
            return spec;
        });
    }

    /** Clears the mark and the recorded evacuation of {@code node}. */
    static Uni<ObjectEntry> resume(Cdb cdb, String node) {
        return change(cdb, node, spec -> {
            spec.remove(MARK);
            spec.remove(PROGRESS);
            return spec;
        });
    }

    /** Writes the evacuation's progress into {@code node}'s object. */
    static Uni<ObjectEntry> progress(Cdb cdb, String node, ObjectNode progress) {
        return change(cdb, node, spec -> {
            spec.set(PROGRESS, progress);
            return spec;
        });
    }

    /** The recorded evacuation of {@code node}, if any. */
    static Optional<ObjectNode> recordedProgress(Cdb cdb, String node) {
        return nodeObject(cdb, node).map(e -> e.spec().get(PROGRESS)).filter(JsonNode::isObject).map(p -> ((ObjectNode) p).deepCopy());
    }

    /**
     * Changes the node object's spec, conditional on the version read (the framework may publish
     * the node's own fields at the same moment: then read again).
     */
    private static Uni<ObjectEntry> change(Cdb cdb, String node, UnaryOperator<ObjectNode> edit) {
        ObjectKey key = key(node);
        return Uni.createFrom().deferred(() -> {
            Optional<ObjectEntry> e = cdb.object(key);
            ObjectNode spec = e.map(x -> x.spec().isObject() ? ((ObjectNode) x.spec()).deepCopy() : Json.object()).orElseGet(Json::object);
            return cdb.putObject(key, e.map(ObjectEntry::subtype).orElse(null), edit.apply(spec), e.map(ObjectEntry::version).orElse(Cdb.ABSENT));
        }).onFailure(f -> f instanceof AcpException a && a.code() == ErrorCode.CONFLICT).retry().atMost(5);
    }

    private static Optional<ObjectEntry> nodeObject(Cdb cdb, String node) {
        try {
            return cdb.object(key(node));
        } catch (IllegalArgumentException bad) {
            return Optional.empty();
        }
    }

    static ObjectKey key(String node) {
        try {
            return ObjectKey.of(ObjectType.NODE, node);
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest("node id: " + e.getMessage());
        }
    }
}
