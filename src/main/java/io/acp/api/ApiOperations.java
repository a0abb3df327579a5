package io.acp.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.Request;
import java.util.List;

/** Service {@code api}: the connection itself (ping, cancelling streams). */
final class ApiOperations implements ServiceOperations {

    private final String localNode;

    ApiOperations(String localNode) {
        this.localNode = localNode;
    }

    @Override
    public String service() {
        return "api";
    }

    @Override
    public List<String> operations() {
        return List.of("ping", "cancel");
    }

    @Override
    public Outcome call(Request request, Session session) {
        switch (request.op()) {
            case "ping":
                ObjectNode pong = Json.object();
                pong.put("node", localNode);
                pong.put("pong", true);
                return Outcome.of(pong);
            case "cancel":
                long stream = new Args("cancel", request.args()).positiveLong("stream");
                if (!session.cancelStream(stream)) {
                    throw AcpException.notFound("stream " + stream + " on this connection");
                }
                ObjectNode done = Json.object();
                done.put("cancelled", true);
                return Outcome.of(done);
            default:
                throw unknown(request);
        }
    }
}
