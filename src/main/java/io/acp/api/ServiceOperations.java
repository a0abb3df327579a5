package io.acp.api;

import io.acp.protocol.Request;
import java.util.List;

/** The operations of one service of the protocol ({@code api}, {@code framework}, {@code cluster}). */
public interface ServiceOperations {

    /** The service name requests address. */
    String service();

    /** Operation names, for the message of {@code unknown_operation}. */
    List<String> operations();

    /**
     * The operations (of {@link #operations()}) that run as jobs: work that may take minutes on its
     * node (a migration, a backup, a storage command bounded by its own minute-long timeout). Routed
     * to another node, their answer is awaited for the caller's own bound (the agent's job route
     * timeout), not the short limit that finds a hung node for quick requests. None by default.
     */
    default List<String> jobs() {
        return List.of();
    }

    /**
     * Runs {@code request.op()}. Argument and permission errors may be thrown as
     * {@link io.acp.protocol.AcpException}; anything that may wait comes back inside the Outcome.
     * Called on the connection's event loop: must not block.
     */
    Outcome call(Request request, Session session);

    default io.acp.protocol.AcpException unknown(Request request) {
        return new io.acp.protocol.AcpException(io.acp.protocol.ErrorCode.UNKNOWN_OPERATION,
                "service " + service() + " has no operation '" + request.op() + "'; it has " + String.join(", ", operations()));
    }
}
