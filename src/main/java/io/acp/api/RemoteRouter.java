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
     * its address when it cannot be reached, TIMEOUT when it does not answer in time.
     */
    Uni<JsonNode> forward(Request request);

    /**
     * Whether {@code request} runs as a job that may take minutes on the node it names (a change of
     * a system: a migration, a backup or restore of real disks, a snapshot with memory, a template):
     * its answer is awaited for the caller's own bound ({@code acp --timeout}, the job route timeout),
     * not the short limit that finds a hung node for quick requests.
     */
    static boolean runsAsJob(Request request) {
        return "hypervisor".equals(request.service()) && HypervisorOperations.CHANGES.contains(request.op());
    }

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
