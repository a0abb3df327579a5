package io.acp.webapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.ApiIdentity;
import io.acp.api.Outcome;
import io.acp.api.OpenStreams;
import io.acp.api.Session;
import io.acp.api.StreamRelay;
import io.acp.api.StreamSink;
import io.acp.api.TokenBucket;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.EnvelopeCodec;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Context;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One WebSocket connection: each text message is one request envelope (docs/protocol.md), answered
 * by messages with the same id. Authentication, rate and stream bookkeeping happen here; the
 * request itself goes the API's request pipeline ({@link io.acp.api.RequestPipeline}), so every operation of
 * the CLI, and routing to other nodes, is the same as on the other transports. Requests to service
 * {@code webapi} (session tokens) are answered here. All state is touched on the connection's
 * event loop only.
 */
final class WebSession implements Session, StreamSink {

    private static final Logger LOG = Logger.getLogger(WebSession.class);
    /** Streams one connection may hold open. */
    static final int MAX_STREAMS = 32;
    /** Messages handed to the socket but not yet written before a client that does not read is dropped. */
    static final int MAX_UNWRITTEN = 1024;
    static final int CLOSE_POLICY = 1008;
    static final int CLOSE_GOING_AWAY = 1001;
    static final int CLOSE_TOO_BIG = 1009;

    private final WebSocketConnection connection;
    private final Context context;
    private final WebApiService service;
    private final TokenBucket rate;
    private final OpenStreams streams;
    private ApiIdentity identity;
    private String credential;
    private String token;
    private Instant tokenExpires;
    private int authFailures;
    private int unwritten;
    private long authTimer = -1;
    private boolean closing;
    /** The connection's event loop thread: its callbacks all run there. */
    private Thread loop;

    WebSession(WebSocketConnection connection, Context context, WebApiService service) {
        this.connection = connection;
        this.context = context;
        this.service = service;
        this.streams = new OpenStreams(this, MAX_STREAMS, action -> context.runOnContext(v -> action.run()));
        this.rate = new TokenBucket(service.config().requestsPerSecond(), service.config().requestBurst());
    }

    void opened() {
        loop = Thread.currentThread();
        authTimer = context.owner().setTimer(Math.max(1, service.config().authTimeout().toMillis()), t -> onContext(() -> {
            if (identity == null) {
                close(CLOSE_POLICY, "not authenticated within " + service.config().authTimeout().toSeconds() + " s");
            }
        }));
    }

    // ---- messages in ----------------------------------------------------------------------------

    void message(String text) {
        if (closing) {
            return;
        }
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (!rate.take()) {
            send(new Response.Failure(EnvelopeCodec.bestEffortId(payload), ErrorCode.RATE_LIMITED, "more than "
                    + service.config().requestsPerSecond() + " requests per second on this connection (acp.webapi.requests-per-second); "
                    + "the request was not run"));
            return;
        }
        Request request;
        try {
            request = EnvelopeCodec.decodeRequest(payload);
        } catch (AcpException e) {
            send(Response.Failure.of(EnvelopeCodec.bestEffortId(payload), e));
            return;
        }
        if ("webapi".equals(request.service()) && "hello".equals(request.op()) && request.key() == null && request.node() == null) {
            // Before login the page may only learn which node this is and where its admin key lies.
            answer(request.id(), this::hello);
            return;
        }
        if (!authenticated(request)) {
            return;
        }
        if ("webapi".equals(request.service()) && (request.node() == null || request.node().equals(service.localNode()))) {
            if ("logout".equals(request.op())) {
                logout(request.id());
                return;
            }
            answer(request.id(), () -> sessionOperation(request));
            return;
        }
        dispatch(request);
    }

    /** The client's address without its port: failed authentications count against it alone. */
    private String peerAddress() {
        String remote = connection.handshakeRequest().remoteAddress();
        if (remote == null) {
            return "unknown";
        }
        int colon = remote.lastIndexOf(':'); // "ip:port", "[v6]:port" or "v6:port"
        String host = colon > 0 ? remote.substring(0, colon) : remote;
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private boolean authenticated(Request request) {
        if (request.key() == null && identity != null) {
            return true;
        }
        try {
            // The rate is this transport's framing: counted per message before it is decoded (see message).
            WebApiService.Authenticated who = service.authenticate(request.key(), peerAddress());
            identity = who.identity();
            credential = who.key();
            token = who.token() != null ? request.key() : null;
            tokenExpires = who.token() != null ? who.token().expires() : null;
            cancelAuthTimer();
            return true;
        } catch (AcpException e) {
            identity = null; // a wrong key replaces the connection's identity with none
            credential = null;
            token = null;
            send(Response.Failure.of(request.id(), e));
            if (++authFailures >= service.config().maxAuthFailures()) {
                close(CLOSE_POLICY, "too many failed authentications");
            }
            return false;
        }
    }

    private JsonNode hello() {
        ObjectNode out = Json.object();
        out.put("node", service.localNode());
        out.put("adminKeyFile", service.adminKeyFile().toString());
        return out;
    }

    /** Service {@code webapi}: {@code login} makes a session token, {@code logout} revokes the one in use. */
    private JsonNode sessionOperation(Request request) {
        switch (request.op()) {
            case "login": {
                // Logged in with a token: the new one ends when that one does (absolute lifetime).
                SessionTokens.Issued issued = service.tokens().issue(credential, tokenExpires);
                ObjectNode out = Json.object();
                out.put("token", issued.token());
                out.put("expiresAt", issued.expires().toString());
                out.put("name", identity.name());
                out.put("role", identity.role().wireName());
                out.put("node", service.localNode());
                return out;
            }
            default:
                throw new AcpException(ErrorCode.UNKNOWN_OPERATION, "service webapi has no operation '" + request.op() + "'; it has hello, login, logout");
        }
    }

    /** Revokes the token in use; the revocation is written to disk (on a worker) before the answer. */
    private void logout(long id) {
        String t = token;
        Instant expires = tokenExpires;
        context.owner().<Boolean>executeBlocking(() -> {
            if (t != null) {
                service.tokens().revoke(t, expires);
            }
            return t != null;
        }, false).onComplete(done -> onContext(() -> {
            if (done.succeeded()) {
                ObjectNode out = Json.object();
                out.put("loggedOut", done.result());
                send(new Response.Result(id, out));
            } else {
                send(Outcome.failure(id, done.cause()));
            }
        }));
    }

    private void answer(long id, Supplier<JsonNode> operation) {
        try {
            send(new Response.Result(id, operation.get()));
        } catch (RuntimeException e) {
            send(Outcome.failure(id, e));
        }
    }

    private void dispatch(Request request) {
        Outcome outcome;
        try {
            outcome = service.api().pipeline().dispatch(request, this);
        } catch (RuntimeException e) {
            send(Outcome.failure(request.id(), e));
            return;
        }
        long id = request.id();
        if (outcome instanceof Outcome.Stream stream) {
            streams.open(id, stream);
            return;
        }
        ((Outcome.Single) outcome).result().subscribe().with(
                result -> onContext(() -> send(new Response.Result(id, result))),
                failure -> onContext(() -> send(Outcome.failure(id, failure))));
    }

    // ---- Session ----------------------------------------------------------------------------------

    @Override
    public ApiIdentity identity() {
        return identity;
    }

    @Override
    public boolean cancelStream(long streamId) {
        return streams.cancel(streamId);
    }

    @Override
    public void streamEnded(StreamRelay relay) {
        streams.ended(relay);
    }

    // ---- messages out -----------------------------------------------------------------------------

    @Override
    public void send(Response response) {
        sendThen(response, null);
    }

    /** Sends, and runs {@code written} on the event loop once the socket took the message (a stream's pacing). */
    @Override
    public void sendThen(Response response, Runnable written) {
        if (closing || connection.isClosed()) {
            return;
        }
        if (++unwritten > MAX_UNWRITTEN) {
            close(CLOSE_POLICY, "the client does not read its answers");
            return;
        }
        connection.sendText(new String(EnvelopeCodec.encode(response), StandardCharsets.UTF_8)).subscribe().with(
                ok -> onContext(() -> {
                    unwritten--;
                    if (written != null) {
                        written.run();
                    }
                }),
                failure -> onContext(() -> unwritten--));
    }

    @Override
    public void onContext(Runnable action) {
        if (Thread.currentThread() == loop) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }

    // ---- closing ------------------------------------------------------------------------------------

    /** A message over acp.webapi.max-message-bytes: Vert.x refused to buffer it; the connection closes with 1009. */
    void tooLarge() {
        onContext(() -> close(CLOSE_TOO_BIG, "message larger than " + service.config().maxMessageBytes() + " bytes (acp.webapi.max-message-bytes)"));
    }

    /** Ends every stream with {@code end}, then closes with 1001 (the node is stopping). */
    void shutdown() {
        onContext(() -> {
            streams.finishAll(true);
            close(CLOSE_GOING_AWAY, "node " + service.localNode() + " is stopping");
        });
    }

    private void close(int code, String reason) {
        if (closing) {
            return;
        }
        closing = true;
        LOG.debugf("WebSocket %s closed by the node: %s", connection.id(), reason);
        connection.close(new CloseReason(code, reason)).subscribe().with(ok -> { }, failure -> { });
    }

    /** The connection is gone (either side closed it). */
    void closed() {
        onContext(() -> {
            closing = true;
            cancelAuthTimer();
            streams.finishAll(false);
        });
    }

    private void cancelAuthTimer() {
        if (authTimer >= 0) {
            context.owner().cancelTimer(authTimer);
            authTimer = -1;
        }
    }
}
