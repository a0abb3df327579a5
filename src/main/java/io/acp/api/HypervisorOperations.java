package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.hypervisor.Systems;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.function.Supplier;

/**
 * Service {@code hypervisor}: this node's systems. The work runs on the hypervisor's own thread;
 * this class only reads arguments and checks the caller may change systems.
 */
final class HypervisorOperations implements ServiceOperations {

    private static final List<String> CHANGES = List.of("create", "define", "start", "stop", "shutdown", "pause", "resume", "restart", "delete");

    private final Supplier<Systems> systems;

    HypervisorOperations(Supplier<Systems> systems) {
        this.systems = systems;
    }

    @Override
    public String service() {
        return "hypervisor";
    }

    @Override
    public List<String> operations() {
        return List.of("create", "define", "start", "stop", "shutdown", "pause", "resume", "restart", "delete", "list", "show");
    }

    @Override
    public Outcome call(Request request, Session session) {
        String op = request.op();
        if (!operations().contains(op)) {
            throw unknown(request);
        }
        Args args = new Args(op, request.args());
        if (CHANGES.contains(op)) {
            requireWriter(session, op);
        }
        if (op.equals("list")) {
            return single(() -> systems.get().list());
        }
        String id = args.text("id");
        Systems s = systems.get();
        return single(() -> switch (op) {
            case "create" -> s.create(id, args.object("spec"));
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

    private static Outcome single(Supplier<Uni<? extends JsonNode>> work) {
        return new Outcome.Single(Uni.createFrom().deferred(work).map(JsonNode.class::cast));
    }

    private static void requireWriter(Session session, String op) {
        ApiIdentity who = session.identity();
        if (!who.role().mayWrite()) {
            throw new AcpException(ErrorCode.FORBIDDEN, "key '" + who.name() + "' has role " + who.role().wireName()
                    + ", which may not " + op + " systems (needs admin or operator)");
        }
    }
}
