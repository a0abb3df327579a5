package io.acp.api;

/** The connection a request arrived on, as operations see it. */
public interface Session {

    /** Who the connection authenticated as. */
    ApiIdentity identity();

    /**
     * Throws {@code forbidden} unless the connection's key may change things (admin or operator);
     * {@code action} says what was refused, e.g. "start systems".
     */
    default void requireWriter(String action) {
        ApiIdentity who = identity();
        if (!who.role().mayWrite()) {
            throw new io.acp.protocol.AcpException(io.acp.protocol.ErrorCode.FORBIDDEN, "key '" + who.name() + "' has role "
                    + who.role().wireName() + ", which may not " + action + " (needs admin or operator)");
        }
    }

    /** Ends the stream opened by request {@code streamId} on this connection; false if there is none. */
    boolean cancelStream(long streamId);

    /**
     * The task id an in-process transport chose for this request, so it can name the task before
     * the work ends (REST answers a long operation with 202 and the task's address); null lets the
     * dispatcher pick one. Connections never set it: a client cannot choose an id.
     */
    default String taskId() {
        return null;
    }

    /** The agent client certificate the connection arrived with; null on the local listeners and the WebAPI. */
    default AgentPeer peer() {
        return null;
    }

    /**
     * This session running one request as {@code who} (the caller a node vouched for on a routed
     * request): the same connection, streams and certificate, another identity.
     */
    default Session as(ApiIdentity who) {
        Session connection = this;
        return new Session() {
            @Override
            public ApiIdentity identity() {
                return who;
            }

            @Override
            public boolean cancelStream(long streamId) {
                return connection.cancelStream(streamId);
            }

            @Override
            public String taskId() {
                return connection.taskId();
            }

            @Override
            public AgentPeer peer() {
                return connection.peer();
            }
        };
    }
}
