package io.acp.api;

import io.acp.node.NodeCalls;
import io.acp.hypervisor.Systems;
import io.acp.model.Json;
import io.acp.protocol.Request;
import java.util.List;
import java.util.function.Supplier;

/**
 * Service {@code hypervisor}: this node's systems. The work runs on the hypervisor's own thread;
 * this class only reads arguments; the dispatcher has checked the role table. Operations that reach
 * other nodes (a create placed elsewhere, a migration) go through the agent under this node's
 * certificate with the caller's name and role, never the caller's key, so the other node authorizes
 * them as it would the caller. A request that itself came through an agent is not carried on to a
 * third node (one hop), except for the migration steps, which are this node's own protocol. The
 * migration steps are answered only for the node the system is handed over from, checked on every step.
 */
final class HypervisorOperations implements ServiceOperations {

    static final List<String> CHANGES = List.of("create", "set", "define", "start", "stop", "shutdown", "pause", "resume", "restart", "delete",
            "migrate", "migrate-prepare", "migrate-confirm", "migrate-abort", "snapshot-create", "snapshot-revert", "snapshot-delete", "backup", "restore",
            "template-create", "template-delete", "node-evacuate", "node-resume");

    private final Supplier<Systems> systems;
    private final Supplier<RemoteRouter> router;
    private final String localNode;

    HypervisorOperations(Supplier<Systems> systems) {
        this(systems, () -> null, null);
    }

    HypervisorOperations(Supplier<Systems> systems, Supplier<RemoteRouter> router, String localNode) {
        this.systems = systems;
        this.router = router;
        this.localNode = localNode;
    }

    @Override
    public String service() {
        return "hypervisor";
    }

    /** Every change of a system: each may wait for a guest, libvirt or a copy of disks. */
    @Override
    public List<String> jobs() {
        return CHANGES;
    }

    @Override
    public List<String> operations() {
        return List.of("create", "set", "define", "start", "stop", "shutdown", "pause", "resume", "restart", "delete", "list", "show",
                "migrate", "console-info", "migrate-prepare", "migrate-confirm", "migrate-abort",
                "snapshot-create", "snapshot-list", "snapshot-revert", "snapshot-delete", "backup", "backup-list", "restore",
                "template-create", "template-list", "template-show", "template-delete", "node-evacuate", "node-resume");
    }

    @Override
    public Outcome call(Request request, Session session) {
        String op = request.op();
        if (!operations().contains(op)) {
            throw unknown(request);
        }
        Args args = new Args(op, request.args());
        if (CHANGES.contains(op)) {
            session.requireWriter(op + " systems");
        }
        if (op.equals("list")) {
            return Outcome.deferred(() -> systems.get().list());
        }
        if (op.equals("template-list")) {
            return Outcome.deferred(() -> systems.get().templateList());
        }
        String id = args.text("id");
        Systems s = systems.get();
        return Outcome.deferred(() -> switch (op) {
            case "create" -> args.has("template")
                    ? s.createFromTemplate(id, args.text("template"), args.raw("spec"), args.raw("cloudInit"), args.flag("full"), args.flag("start"),
                            calls(session))
                    : s.create(id, args.object("spec"), args.flag("start"), calls(session));
            case "template-create" -> s.templateCreate(id, args.text("from"), args.optionalText("pool"));
            case "template-show" -> s.templateShow(id);
            case "template-delete" -> s.templateDelete(id);
            case "set" -> s.set(id, args.object("spec"));
            case "migrate" -> s.migrate(id, args.text("to"), args.flag("live"), calls(session));
            // id names a node here: the one to empty (this one; the request is routed to it) or to make schedulable again
            case "node-evacuate" -> s.evacuate(id, args.optionalText("to"), !args.has("wait") || args.flag("wait"),
                    session.identity().name(), calls(session));
            case "node-resume" -> s.resumeNode(id);
            case "console-info" -> s.consoleInfo(id);
            case "migrate-prepare" -> s.acceptMigration(id, args.object("spec"), args.text("from"), args.flag("live"), args.flag("running"),
                    callingNode(session));
            case "migrate-confirm" -> s.confirmMigration(id, args.flag("start"), callingNode(session));
            case "migrate-abort" -> s.abortMigration(id, callingNode(session));
            case "snapshot-create" -> s.snapshotCreate(id, args.text("name"), args.flag("memory"), args.optionalText("description"));
            case "snapshot-list" -> s.snapshotList(id);
            case "backup" -> s.backup(id, args.text("to"));
            case "backup-list" -> s.backupList(id, args.optionalText("pool"));
            case "restore" -> s.restore(id, args.text("from"), args.text("backup"), args.optionalText("as"));
            case "snapshot-revert" -> s.snapshotRevert(id, args.text("name"));
            case "snapshot-delete" -> s.snapshotDelete(id, args.text("name"));
            case "define" -> s.define(id);
            case "start" -> s.start(id);
            case "stop" -> s.stop(id);
            case "shutdown" -> s.shutdown(id);
            case "pause" -> s.pause(id);
            case "resume" -> s.resume(id);
            case "restart" -> s.restart(id);
            case "delete" -> s.delete(id, args.flag("force"));
            default -> s.show(id);
        });
    }

    /** The node whose certificate carried a node-only step (the dispatcher made sure there is one). */
    private static String callingNode(Session session) {
        return session.peer().name();
    }

    /** Requests to other nodes on behalf of this request's caller, through the agent. */
    private NodeCalls calls(Session session) {
        RemoteRouter r = router.get();
        if (r == null) {
            return NodeCalls.none(localNode);
        }
        Request.Caller caller = Dispatcher.caller(session);
        boolean arrivedThroughAgent = session.peer() != null;
        return (node, service, op, args) -> {
            if (arrivedThroughAgent && !(service.equals("hypervisor") && op.startsWith("migrate-"))) {
                return io.smallrye.mutiny.Uni.createFrom().failure(new io.acp.protocol.AcpException(io.acp.protocol.ErrorCode.CONFLICT,
                        "rule one-hop: node " + localNode + " would carry " + service + "." + op + " on to node " + node
                                + ", but the request came through an agent and takes exactly the hop it names; send it to node " + node));
            }
            return r.forward(new Request(0, node, service, op, args == null ? Json.object() : args, null, caller));
        };
    }
}
