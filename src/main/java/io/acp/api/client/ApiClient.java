package io.acp.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.JsonTrees;
import io.acp.protocol.AcpException;
import io.acp.protocol.EnvelopeCodec;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * A blocking client of a node's API (docs/protocol.md) over its Unix socket, its loopback TCP
 * port, or a node's agent (mutual TLS). One request at a time per client; open several clients for parallel work. Every
 * failure is an {@link AcpException} carrying the node's error code, or UNAVAILABLE / TIMEOUT
 * when the node cannot be reached or does not answer.
 */
public final class ApiClient implements AutoCloseable {

    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    private final ApiEndpoint endpoint;
    private final FrameChannel channel;
    private final String apiKey;
    private final Duration readTimeout;
    private long lastId;
    /** Set once the node accepted our key; later requests then travel without it. */
    private boolean authenticated;
    private WatchStream openStream;
    /** The node requests are for when the caller names none (acp --node); null: the connected node. */
    private volatile String target;

    private ApiClient(ApiEndpoint endpoint, FrameChannel channel, String apiKey, Duration readTimeout) {
        this.endpoint = endpoint;
        this.channel = channel;
        this.apiKey = apiKey;
        this.readTimeout = readTimeout;
    }

    /**
     * Connects to the node's API.
     *
     * @param apiKey      sent with the first request; may be null only for a node that needs none
     * @param readTimeout how long a call waits for its answer (streams wait for ever)
     * @throws AcpException UNAVAILABLE with a hint when nothing listens at {@code endpoint}
     */
    public static ApiClient connect(ApiEndpoint endpoint, String apiKey, Duration readTimeout) {
        try {
            return new ApiClient(endpoint, FrameChannel.connect(endpoint), apiKey, readTimeout);
        } catch (IOException | RuntimeException e) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "cannot reach the node's API at " + endpoint.describe() + ": "
                    + reason(e) + " (is the node running? start it with 'acp node run')", e);
        }
    }

    public static ApiClient connect(ApiEndpoint endpoint, String apiKey) {
        return connect(endpoint, apiKey, DEFAULT_READ_TIMEOUT);
    }

    public ApiEndpoint endpoint() {
        return endpoint;
    }

    /** Calls an operation on the {@link #routeTo target} node; returns its result or throws its error. */
    public JsonNode call(String service, String op, ObjectNode args) {
        return call(target, service, op, args);
    }

    /** Sends later {@link #call(String, String, ObjectNode)} calls to {@code node} (null: the connected node). */
    public ApiClient routeTo(String node) {
        this.target = node;
        return this;
    }

    public String target() {
        return target;
    }

    /** Calls an operation, routed to {@code node} when not null (remote routing). */
    public synchronized JsonNode call(String node, String service, String op, ObjectNode args) {
        if (openStream != null) {
            throw new IllegalStateException("a watch is open on this client; close it first or use another client");
        }
        long id = send(node, service, op, args);
        return awaitResult(id);
    }

    /**
     * Opens a {@code cluster.watch} stream. The client is then reserved for the stream until it is
     * closed; read it with {@link WatchStream#next()}.
     */
    public synchronized WatchStream openWatch(String node, ObjectNode args) {
        if (openStream != null) {
            throw new IllegalStateException("a watch is already open on this client");
        }
        long id = send(node, "cluster", "watch", args);
        awaitResult(id);
        openStream = new WatchStream(this, id);
        return openStream;
    }

    /** Watches until the stream ends (node stopping) or {@code onEvent} throws. */
    public void watch(ObjectNode args, Consumer<JsonNode> onEvent) {
        try (WatchStream stream = openWatch(null, args)) {
            for (JsonNode event = stream.next(); event != null; event = stream.next()) {
                onEvent.accept(event);
            }
        }
    }

    /** The next event of stream {@code id}, or null once it ended; waits for ever. */
    synchronized JsonNode nextEvent(long id) {
        while (true) {
            Response r = EnvelopeCodec.decodeResponse(channel.receive(null));
            if (r.id() != id) {
                continue; // late answers to something we gave up on
            }
            if (r instanceof Response.Event ev) {
                return ev.event();
            }
            if (r instanceof Response.End) {
                return null;
            }
            if (r instanceof Response.Failure f) {
                throw new AcpException(f.code(), f.message());
            }
        }
    }

    /** Asks the node to end stream {@code id} and reads up to its end. */
    synchronized void cancel(long id) {
        ObjectNode args = JsonTrees.object();
        args.put("stream", id);
        long cancelId = send(null, "api", "cancel", args);
        boolean ended = false;
        boolean answered = false;
        while (!ended || !answered) {
            Response r = EnvelopeCodec.decodeResponse(channel.receive(readTimeout));
            if (r.id() == id) {
                ended = r instanceof Response.End || r instanceof Response.Failure;
            } else if (r.id() == cancelId) {
                answered = true;
                if (r instanceof Response.Failure f) {
                    // not_found: the stream had already ended on its own.
                    ended |= f.code() == ErrorCode.NOT_FOUND;
                }
            }
        }
    }

    synchronized void streamClosed(WatchStream stream) {
        if (openStream == stream) {
            openStream = null;
        }
    }

    private long send(String node, String service, String op, ObjectNode args) {
        long id = ++lastId;
        Request request = new Request(id, node, service, op, args == null ? JsonTrees.object() : args, authenticated ? null : apiKey);
        channel.send(EnvelopeCodec.encode(request), readTimeout);
        return id;
    }

    private JsonNode awaitResult(long id) {
        while (true) {
            Response r = EnvelopeCodec.decodeResponse(channel.receive(readTimeout));
            // id 0: the node could not read our request's id (bad frame); with one request in
            // flight that answer is ours.
            if (r.id() != id && !(r.id() == 0 && r instanceof Response.Failure)) {
                continue;
            }
            if (r instanceof Response.Failure f) {
                if (f.code() != ErrorCode.UNAUTHORIZED) {
                    authenticated = true;
                }
                throw new AcpException(f.code(), f.message());
            }
            if (r instanceof Response.Result res) {
                authenticated = true;
                return res.result();
            }
        }
    }

    private static String reason(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    @Override
    public void close() {
        channel.close();
    }
}
