package io.acp.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.AcpException;

/**
 * An open {@code cluster.watch} stream. {@link #next()} blocks for the next event; closing it
 * cancels the stream on the node and frees the client for other calls.
 */
public final class WatchStream implements AutoCloseable {

    private final ApiClient client;
    private final long id;
    private boolean ended;

    WatchStream(ApiClient client, long id) {
        this.client = client;
        this.id = id;
    }

    /** The request id that opened the stream (what {@code api.cancel} takes). */
    public long id() {
        return id;
    }

    /**
     * The next event (an entry in its JSON form), or null once the node ended the stream.
     *
     * @throws AcpException UNAVAILABLE if the connection drops
     */
    public JsonNode next() {
        if (ended) {
            return null;
        }
        JsonNode event = client.nextEvent(id);
        ended = event == null;
        return event;
    }

    @Override
    public void close() {
        try {
            if (!ended) {
                ended = true;
                client.cancel(id);
            }
        } catch (AcpException e) {
            // The connection is gone or the node stopped: the stream is over either way.
        } finally {
            client.streamClosed(this);
        }
    }
}
