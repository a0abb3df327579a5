package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.Request;

/** The object a mutating request acts on, as a task names it; null when it names none (or a bad id). */
final class TaskTargets {

    private TaskTargets() {
    }

    /** The CDB object whose spec the request may change (its before/after is the task's diff), or null. */
    static ObjectKey keyOf(Request request) {
        JsonNode args = request.args();
        String id = args.path("id").asText(null);
        if (id == null || ObjectKey.problem(id) != null) {
            return null;
        }
        String op = request.op();
        return switch (request.service()) {
            case "cluster" -> (op.equals("put") || op.equals("delete")) ? typed(args.path("type").asText(null), id) : null;
            case "hypervisor" -> ObjectKey.of(op.startsWith("template-") ? ObjectType.TEMPLATE
                    : op.startsWith("node-") ? ObjectType.NODE : ObjectType.SYSTEM, id);
            case "network" -> ObjectKey.of(ObjectType.NETWORK, id);
            case "storage" -> op.startsWith("pool.") || op.startsWith("share.") ? ObjectKey.of(ObjectType.STORAGE, id) : null;
            case "monitor" -> ObjectKey.of(ObjectType.ALARM, id);
            default -> null;
        };
    }

    /** How a task names its object: the CDB key, or for a volume its pool and name. */
    static String describe(Request request, ObjectKey key) {
        if (key != null) {
            return key.toString();
        }
        JsonNode args = request.args();
        if (request.service().equals("storage") && request.op().startsWith("volume.")) {
            return "volume/" + args.path("pool").asText("?") + "/" + args.path("name").asText("?");
        }
        return null;
    }

    private static ObjectKey typed(String type, String id) {
        try {
            return type == null ? null : ObjectKey.of(ObjectType.parse(type), id);
        } catch (IllegalArgumentException bad) {
            return null; // the operation answers bad_request itself
        }
    }
}
