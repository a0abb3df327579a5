package io.acp.api;

import io.acp.protocol.Response;

/**
 * The connection a stream's events go to, as {@link StreamRelay} sees it: the API's framed
 * connections and the WebAPI's WebSocket sessions. Every method is called on the connection's event loop.
 */
public interface StreamSink {

    /** Runs {@code action} on the connection's event loop: now if already there, else queued. */
    void onContext(Runnable action);

    void send(Response response);

    /** Sends, then runs {@code next} once the connection can take more (the stream's pacing). */
    void sendThen(Response response, Runnable next);

    /** The stream is over (cancelled, completed, failed): the connection forgets it. */
    void streamEnded(StreamRelay relay);
}
