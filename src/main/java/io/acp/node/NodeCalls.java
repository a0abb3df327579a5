package io.acp.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;

/**
 * A service's way to another node's services: one request to {@code service.op} on {@code node},
 * answered by that node. The entry points implement it (the API routes it through the node's
 * agent, with the credential of the client whose request caused the call), so services reach other
 * nodes without depending on the API or the agent.
 */
@FunctionalInterface
public interface NodeCalls {

    /**
     * The target node's answer, or a failure: its error as is, UNAVAILABLE naming the node when it
     * cannot be reached.
     */
    Uni<JsonNode> call(String node, String service, String op, ObjectNode args);

    /** Calls that always fail: this node cannot reach others (it runs no agent). */
    static NodeCalls none(String localNode) {
        return (node, service, op, args) -> Uni.createFrom().failure(new AcpException(ErrorCode.UNAVAILABLE, "node " + node
                + " is not reachable from node " + localNode + ": this node runs no agent (add 'agent' to acp.node.services)"));
    }
}
