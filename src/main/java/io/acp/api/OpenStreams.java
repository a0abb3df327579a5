package io.acp.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The streams open on one connection, by the id of the request that opened each: opening (with
 * the {@code {"stream": id}} answer), cancelling, and ending them all when the connection goes.
 * Touched on the connection's event loop only.
 */
public final class OpenStreams {

    private final Map<Long, StreamRelay> byId = new HashMap<>();
    private final StreamSink sink;
    private final int max;
    private final Consumer<Runnable> later;

    /**
     * @param max   streams allowed at once; one more is refused with bad_request
     * @param later runs an action on the connection's event loop after the current one
     */
    public OpenStreams(StreamSink sink, int max, Consumer<Runnable> later) {
        this.sink = sink;
        this.max = max;
        this.later = later;
    }

    /** Answers {@code {"stream": id}} and relays the events, or refuses a reused id or one stream too many. */
    public void open(long id, Outcome.Stream stream) {
        if (byId.containsKey(id)) {
            sink.send(new Response.Failure(id, ErrorCode.BAD_REQUEST, "request id " + id + " is in use by an open stream on this connection"));
            return;
        }
        if (byId.size() >= max) {
            sink.send(new Response.Failure(id, ErrorCode.BAD_REQUEST, "this connection has " + max
                    + " open streams, the most allowed; cancel one (api.cancel) first"));
            return;
        }
        StreamRelay relay = new StreamRelay(id, sink);
        byId.put(id, relay);
        ObjectNode opened = Json.object();
        opened.put("stream", id);
        sink.send(new Response.Result(id, opened));
        stream.events().subscribe().withSubscriber(relay);
    }

    /** Ends stream {@code id} with {@code end}, after the cancel's own result; false if there is none. */
    public boolean cancel(long id) {
        StreamRelay relay = byId.get(id);
        if (relay == null) {
            return false;
        }
        later.accept(() -> relay.finish(true));
        return true;
    }

    /** A stream ended on its own (completed, failed, cancelled). */
    public void ended(StreamRelay relay) {
        byId.remove(relay.id(), relay);
    }

    /** Ends every stream; {@code tellClient} sends each its {@code end}. */
    public void finishAll(boolean tellClient) {
        for (StreamRelay relay : List.copyOf(byId.values())) {
            relay.finish(tellClient);
        }
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }
}
