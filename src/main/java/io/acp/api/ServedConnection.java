package io.acp.api;

import io.vertx.core.Future;

/** A connection the API serves for another entry point (the agent), as that entry point sees it. */
public interface ServedConnection {

    /** Ends every stream with {@code end} and closes the connection once those frames are written. */
    Future<Void> shutdown();
}
