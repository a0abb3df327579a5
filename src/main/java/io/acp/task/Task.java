package io.acp.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.model.Progress;
import java.time.Instant;

/**
 * One mutating operation as the node that ran it records it: the audit log's entry and the handle
 * a caller polls for a long operation. Stored as the spec of object {@code task/<id>}; written
 * twice (running, then finished), only by {@link #node}.
 *
 * @param id       unique in the cluster: {@code <origin node>:<epoch ms>:<sequence>}
 * @param op       {@code service.op}, e.g. {@code hypervisor.start}
 * @param object   the object it acted on ({@code system/web1}), or null
 * @param user     the key's name (for a routed request: the caller the first node vouched for)
 * @param role     the key's role, wire name
 * @param origin   the node the caller talked to
 * @param node     the node that ran it (and wrote this record)
 * @param started  when it began here
 * @param ended    when it finished; null while running
 * @param errorCode the protocol error code when it failed, else null
 * @param message  the error message when it failed, else null
 * @param changes  for an operation that changed an object's spec: {@link SpecDiff} of before and after; else null
 * @param progress how far it has come, for an operation that reports it (migration, evacuation, backup); else null
 */
public record Task(String id, String op, String object, String user, String role, String origin, String node, TaskState state,
        Instant started, Instant ended, String errorCode, String message, ArrayNode changes, Progress progress) {

    /** A task that has just begun on {@code node}. */
    public static Task running(String id, String op, String object, String user, String role, String origin, String node, Instant started) {
        return new Task(id, op, object, user, role, origin, node, TaskState.RUNNING, started, null, null, null, null, null);
    }

    /** Done: a progress it reported ends complete ({@code done == total}, phase "done"). */
    public Task succeeded(Instant at, ArrayNode diff) {
        Progress complete = progress == null ? null : new Progress(Math.max(progress.total(), progress.done()), progress.total(), progress.unit(), "done");
        return new Task(id, op, object, user, role, origin, node, TaskState.OK, started, at, null, null, diff, complete);
    }

    /** Failed: a progress it reported stays where it stopped. */
    public Task failed(Instant at, String code, String why, ArrayNode diff) {
        return new Task(id, op, object, user, role, origin, node, TaskState.FAILED, started, at, code, why, diff, progress);
    }

    /** A finished task's progress as it ends: complete when it succeeded. */
    Task finishedProgress() {
        return state == TaskState.OK && progress != null ? succeeded(ended, changes) : this;
    }

    /** The same task, come as far as {@code p}. */
    public Task advanced(Progress p) {
        return new Task(id, op, object, user, role, origin, node, state, started, ended, errorCode, message, changes, p);
    }

    /** Milliseconds from start to end (or to {@code now} while running). */
    public long durationMillis(Instant now) {
        return Math.max(0, (ended != null ? ended : now).toEpochMilli() - started.toEpochMilli());
    }

    /** The wire form: what task.list and task.show answer and what the CDB stores. */
    public ObjectNode toJson() {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("op", op);
        o.put("object", object);
        o.put("user", user);
        o.put("role", role);
        o.put("origin", origin);
        o.put("node", node);
        o.put("state", state.wireName());
        o.put("started", started.toString());
        o.put("ended", ended == null ? null : ended.toString());
        if (ended != null) {
            o.put("durationMs", durationMillis(ended));
        }
        if (errorCode != null) {
            o.putObject("error").put("code", errorCode).put("message", message);
        }
        if (changes != null) {
            o.set("changes", changes);
        }
        if (progress != null) {
            o.set("progress", progress.toJson());
        }
        return o;
    }

    /** Reads a stored task; IllegalArgumentException if it is not one. */
    public static Task fromJson(String id, JsonNode o) {
        try {
            JsonNode error = o.path("error");
            return new Task(id, o.path("op").asText(), text(o.path("object")), o.path("user").asText(), o.path("role").asText(),
                    o.path("origin").asText(), o.path("node").asText(), TaskState.parse(o.path("state").asText()),
                    Instant.parse(o.path("started").asText()), o.hasNonNull("ended") ? Instant.parse(o.get("ended").asText()) : null,
                    text(error.path("code")), text(error.path("message")), o.path("changes").isArray() ? (ArrayNode) o.get("changes") : null,
                    Progress.fromJson(o.get("progress")));
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("task " + id + " has a malformed time: " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : null;
    }
}
