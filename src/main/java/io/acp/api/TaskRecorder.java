package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.acp.model.ObjectKey;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.acp.task.SpecDiff;
import io.acp.task.Task;
import io.acp.task.TaskLog;

/**
 * Records every mutating request the dispatcher runs as a task, whatever transport it came by:
 * one that needs operator or admin in {@link Permissions} (reads, and the node-only steps of a
 * migration, which belong to the migration's task on its source node, are not tasks). The node
 * that runs a request records it; a node that routes one on gives it its task id and remembers it
 * until the record arrives by sync.
 */
final class TaskRecorder {

    private final TaskLog log;

    TaskRecorder(TaskLog log) {
        this.log = log;
    }

    TaskLog log() {
        return log;
    }

    /** True if {@code request} (already checked against the role table) is recorded as a task. */
    static boolean records(Request request) {
        Permissions.Need need = Permissions.of(request.service(), request.op(), request.args());
        return need == Permissions.Need.OPERATOR || need == Permissions.Need.ADMIN;
    }

    /**
     * The task id of {@code request}: the one a node gave it before routing it here (believed only
     * from a node certificate, as the caller is), or a new one.
     */
    String idFor(Request request, Session session) {
        String given = request.task();
        boolean fromNode = session.peer() != null && session.peer().node() && request.caller() != null;
        if (fromNode && given != null && ObjectKey.problem(given) == null) {
            return given;
        }
        String chosen = session.taskId();
        return chosen != null && ObjectKey.problem(chosen) == null ? chosen : log.newId();
    }

    /** Runs {@code request} here as task {@code id}: recorded when it begins and when it ends. */
    Outcome runHere(String id, Request request, Session session, java.util.function.Supplier<Outcome> work) {
        ObjectKey key = TaskTargets.keyOf(request);
        JsonNode before = log.specOf(key);
        ApiIdentity who = session.identity();
        String origin = who.viaNode() != null ? who.viaNode() : log.localNode();
        Task task = Task.running(id, request.service() + "." + request.op(), TaskTargets.describe(request, key), who.name(),
                who.role().wireName(), origin, log.localNode(), log.now());
        log.begin(task);
        Outcome outcome;
        try {
            outcome = work.get();
        } catch (RuntimeException e) {
            finish(task, key, before, e);
            throw e;
        }
        if (!(outcome instanceof Outcome.Single single)) {
            finish(task, key, before, null);
            return outcome;
        }
        return new Outcome.Single(single.result()
                .onItem().invoke(ok -> finish(task, key, before, null))
                .onFailure().invoke(failure -> finish(task, key, before, failure))
                .onCancellation().invoke(() -> finish(task, key, before, new AcpException(ErrorCode.UNAVAILABLE,
                        "the caller went away before the answer; the work may have completed"))));
    }

    /** Routes {@code request} (carrying task {@code id}) to the node that runs and records it; remembers it here meanwhile. */
    Outcome routed(String id, Request request, Session session, String target, java.util.function.Supplier<Outcome> route) {
        ApiIdentity who = session.identity();
        Task task = Task.running(id, request.service() + "." + request.op(), TaskTargets.describe(request, TaskTargets.keyOf(request)),
                who.name(), who.role().wireName(), log.localNode(), target, log.now());
        log.routed(task);
        Outcome outcome;
        try {
            outcome = route.get();
        } catch (RuntimeException e) {
            log.routed(failed(task, e, null));
            throw e;
        }
        if (!(outcome instanceof Outcome.Single single)) {
            return outcome;
        }
        return new Outcome.Single(single.result()
                .onItem().invoke(ok -> log.routed(task.succeeded(log.now(), null)))
                .onFailure().invoke(failure -> {
                    Task failed = failed(task, failure, null);
                    if (failure instanceof AcpException e && e.code() == ErrorCode.UNAVAILABLE) {
                        log.failedToRoute(failed); // node `target` never got it: nobody else records it
                    } else {
                        log.routed(failed);
                    }
                }));
    }

    /** A node's own scheduled operation on a system (a scheduled backup), recorded as a task of user "scheduler" on this node. */
    io.smallrye.mutiny.Uni<com.fasterxml.jackson.databind.node.ObjectNode> scheduled(String op, String system,
            java.util.function.Supplier<io.smallrye.mutiny.Uni<com.fasterxml.jackson.databind.node.ObjectNode>> work) {
        ObjectKey key = ObjectKey.of(io.acp.model.ObjectType.SYSTEM, system);
        JsonNode before = log.specOf(key);
        Task task = Task.running(log.newId(), "hypervisor." + op, key.toString(), "scheduler", "node", log.localNode(), log.localNode(), log.now());
        log.begin(task);
        return io.smallrye.mutiny.Uni.createFrom().deferred(work::get)
                .onItem().invoke(ok -> finish(task, key, before, null))
                .onFailure().invoke(failure -> finish(task, key, before, failure));
    }

    private void finish(Task task, ObjectKey key, JsonNode before, Throwable failure) {
        ArrayNode diff = key == null ? null : SpecDiff.between(before, log.specOf(key));
        ArrayNode changes = diff == null || SpecDiff.empty(diff) ? null : diff;
        log.finish(failure == null ? task.succeeded(log.now(), changes) : failed(task, failure, changes));
    }

    private Task failed(Task task, Throwable failure, ArrayNode changes) {
        // as Outcome.failure answers it, without logging it again (the transport logs an internal fault)
        ErrorCode code = failure instanceof AcpException e ? e.code()
                : failure instanceof IllegalArgumentException ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL;
        String message = code == ErrorCode.INTERNAL ? failure.getClass().getSimpleName() + ": " + failure.getMessage() : failure.getMessage();
        return task.failed(log.now(), code.wireName(), message, changes);
    }
}
