package io.acp.api;

/** The connection a request arrived on, as operations see it. */
public interface Session {

    /** Who the connection authenticated as. */
    ApiIdentity identity();

    /** Ends the stream opened by request {@code streamId} on this connection; false if there is none. */
    boolean cancelStream(long streamId);

    /**
     * The key the connection authenticated with, to present to another node when a request is
     * routed there; kept only in memory, never logged. Null when not authenticated.
     */
    default String credential() {
        return null;
    }
}
