package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.console.ByteEnd;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.smallrye.mutiny.Uni;

/**
 * Carries a request to the node it names, through that node's agent (installed by the agent
 * service). The request travels with the key its client authenticated with: the target node
 * authorizes it itself.
 */
public interface RemoteRouter {

    /**
     * The target node's answer, or a failure: its error as is, UNAVAILABLE naming the node and
     * its address when it cannot be reached, TIMEOUT when it does not answer in time: within the
     * short hop limit that finds a hung node, or, for an operation its service declares a job
     * ({@link ServiceOperations#jobs()}), within the caller's own bound (the job route timeout).
     */
    Uni<JsonNode> forward(Request request);

    /**
     * Sends {@code request} (a {@code console.attach}) on a connection of its own to the node it
     * names; once that node answered, the connection carries raw bytes: the end returned. Fails as
     * {@link #forward} does, or with the node's error.
     */
    default Uni<ByteEnd> attach(Request request) {
        return Uni.createFrom().failure(new AcpException(ErrorCode.UNAVAILABLE,
                "node " + request.node() + " cannot be reached for a console on this route"));
    }
}
