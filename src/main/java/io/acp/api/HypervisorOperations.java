package io.acp.api;

import io.acp.node.NodeCalls;
import io.acp.hypervisor.Systems;
import io.acp.model.Json;
import io.acp.protocol.Request;
import java.util.List;
import java.util.function.Supplier;

/**
 * Service {@code hypervisor}: this node's systems. The work runs on the hypervisor's own thread;
 * this class only reads arguments and checks the caller may change systems. Operations that reach
 * other nodes (a create placed elsewhere, a migration) go through the agent with the caller's own
 * key, so the other node authorizes them as it would the caller.
 */
final class HypervisorOperations implements ServiceOperations {

    private static final List<String> CHANGES = List.of("create", "define", "start", "stop", "shutdown", "pause", "resume", "restart", "delete",
            "migrate", "migrate-prepare", "migrate-confirm", "migrate-abort");

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

    @Override
    public List<String> operations() {
        return List.of("create", "define", "start", "stop", "shutdown", "pause", "resume", "restart", "delete", "list", "show",
                "migrate", "console-info", "migrate-prepare", "migrate-confirm", "migrate-abort");
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
        String id = args.text("id");
        Systems s = systems.get();
        return Outcome.deferred(() -> switch (op) {
            case "create" -> s.create(id, args.object("spec"), calls(session));
            case "migrate" -> s.migrate(id, args.text("to"), args.flag("live"), calls(session));
            case "console-info" -> s.consoleInfo(id);
            case "migrate-prepare" -> s.acceptMigration(id, args.object("spec"), args.text("from"), args.flag("live"));
            case "migrate-confirm" -> s.confirmMigration(id, args.flag("start"));
            case "migrate-abort" -> s.abortMigration(id);
            case "define" -> s.define(id);
            case "start" -> s.start(id);
            case "stop" -> s.stop(id);
            case "shutdown" -> s.shutdown(id);
            case "pause" -> s.pause(id);
            case "resume" -> s.resume(id);
            case "restart" -> s.restart(id);
            case "delete" -> s.delete(id);
            default -> s.show(id);
        });
    }

    /** Requests to other nodes on behalf of this request's caller, through the agent. */
    private NodeCalls calls(Session session) {
        RemoteRouter r = router.get();
        if (r == null) {
            return NodeCalls.none(localNode);
        }
        String credential = session.credential();
        return (node, service, op, args) -> r.forward(new Request(0, node, service, op, args == null ? Json.object() : args, credential));
    }
}
