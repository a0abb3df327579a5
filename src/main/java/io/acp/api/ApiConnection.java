package io.acp.api;

import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.EnvelopeCodec;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.FrameDecoder;
import io.acp.protocol.Frames;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One client connection, on either listener: frames in, authentication, dispatch, frames out.
 * Bad input is answered with its error code and the connection stays usable; only repeated failed
 * authentication and idleness close it. Reading pauses while the socket's write queue is full or
 * too many requests are in flight, so a client that does not read cannot make the node buffer.
 * Until it authenticates, a connection's frames are capped at {@link #UNAUTHENTICATED_FRAME_BYTES}.
 * Failed authentications count against the peer (its uid, address or certificate), never the node.
 * All state is touched only on the connection's event loop.
 */
final class ApiConnection implements Session, ServedConnection, StreamSink, FrameDecoder.Sink {

    private static final Logger LOG = Logger.getLogger(ApiConnection.class);
    /** Requests answered concurrently per connection before reading pauses. */
    static final int MAX_IN_FLIGHT = 64;
    /** Largest frame before the connection authenticated: a key and a small request fit easily. */
    static final int UNAUTHENTICATED_FRAME_BYTES = 64 * 1024;

    private final NetSocket socket;
    private final Context context;
    private final ConnectionShared shared;
    private final FrameDecoder decoder;
    private final Consumer<ApiConnection> onClosed;
    private final OpenStreams streams;
    private final ArrayDeque<Runnable> writableWaiters = new ArrayDeque<>();
    private final AgentPeer peer;
    private final String limitKey;
    private ApiIdentity identity;
    private int authFailures;
    private int inFlight;
    private long lastFrameNanos = System.nanoTime();
    private long idleTimer = -1;
    private boolean readPaused;
    private boolean ending;
    private boolean closed;
    /** The socket carries a console's raw bytes now (console.attach): no frames, no idle check here. */
    private boolean tookOver;
    private Runnable tookOverClosed;

    /**
     * @param peer     the agent client certificate, or null on the local listeners
     * @param limitKey who failed authentications count against: {@code uid:N}, {@code addr:IP} or {@code cert:NAME}
     */
    ApiConnection(NetSocket socket, Context context, ConnectionShared shared, AgentPeer peer, String limitKey, Consumer<ApiConnection> onClosed) {
        this.socket = socket;
        this.context = context;
        this.shared = shared;
        this.peer = peer;
        this.limitKey = limitKey;
        this.onClosed = onClosed;
        this.decoder = new FrameDecoder(Math.min(UNAUTHENTICATED_FRAME_BYTES, shared.config().maxFrameBytes()), this);
        this.streams = new OpenStreams(this, Integer.MAX_VALUE, action -> context.runOnContext(v -> action.run()));
    }

    void start() {
        socket.handler(chunk -> decoder.feed(chunk));
        socket.drainHandler(v -> drained());
        socket.exceptionHandler(e -> LOG.debugf("API connection %s: %s", socket.remoteAddress(), e.getMessage()));
        socket.closeHandler(v -> closed());
        scheduleIdleCheck(shared.config().idleTimeout().toNanos());
    }

    // ---- frames in ------------------------------------------------------------------------------

    @Override
    public void frame(byte[] payload) {
        if (ending) {
            return;
        }
        lastFrameNanos = System.nanoTime();
        Request request;
        try {
            request = EnvelopeCodec.decodeRequest(payload);
        } catch (AcpException e) {
            send(Response.Failure.of(EnvelopeCodec.bestEffortId(payload), e));
            return;
        }
        Credential credential = credentialOf(request);
        Admission admission = shared.pipeline().admit(shared.gate(), credential);
        if (admission instanceof Admission.Refused refused) {
            refused(request.id(), refused);
            return;
        }
        ApiIdentity who = ((Admission.Admitted) admission).identity();
        decoder.maxFrameBytes(shared.config().maxFrameBytes());
        if (credential instanceof Credential.Vouched) {
            dispatch(request, as(who)); // as the caller a node vouched for, for this request only
            return;
        }
        identity = who;
        dispatch(request, this);
    }

    /**
     * Who the request says it is: the caller another node vouched for ({@code "as"}, believed only
     * from a node certificate), else its key, else the identity this connection authenticated as.
     */
    private Credential credentialOf(Request request) {
        if (request.caller() != null) {
            return new Credential.Vouched(request.caller(), peer);
        }
        if (request.key() == null && identity != null) {
            return new Credential.Established(identity);
        }
        return new Credential.Key(request.key(), limitKey);
    }

    private void refused(long id, Admission.Refused refused) {
        if (refused.reason() == Admission.Reason.WRONG_CREDENTIAL) {
            identity = null; // a wrong key replaces the connection's identity with none
            decoder.maxFrameBytes(Math.min(UNAUTHENTICATED_FRAME_BYTES, shared.config().maxFrameBytes()));
        }
        send(Response.Failure.of(id, refused.error()));
        if (refused.reason().failedAuthentication() && ++authFailures >= shared.config().maxAuthFailures()) {
            LOG.infof("API connection %s closed after %d failed authentications", socket.remoteAddress(), authFailures);
            ending = true;
            socket.pause();
            socket.end();
        }
    }

    @Override
    public void oversized(long length) {
        String limit = identity == null ? decoder.maxFrameBytes() + " bytes before authentication" : shared.config().maxFrameBytes()
                + " bytes (acp.api.max-frame-bytes)";
        send(new Response.Failure(0, ErrorCode.FRAME_TOO_LARGE, "frame of " + length + " bytes is larger than the limit of " + limit
                + "; its bytes are skipped"));
    }

    @Override
    public void empty() {
        lastFrameNanos = System.nanoTime();
        send(new Response.Failure(0, ErrorCode.BAD_FRAME, "empty frame (length 0)"));
    }

    private void dispatch(Request request, Session session) {
        Outcome outcome;
        try {
            outcome = shared.pipeline().dispatch(request, session);
        } catch (RuntimeException e) {
            send(Outcome.failure(request.id(), e));
            return;
        }
        if (outcome instanceof Outcome.Stream stream) {
            streams.open(request.id(), stream);
            return;
        }
        if (outcome instanceof Outcome.Takeover takeover) {
            takeOver(request.id(), takeover);
            return;
        }
        long id = request.id();
        inFlight++;
        updateReading();
        ((Outcome.Single) outcome).result().subscribe().with(
                result -> onContext(() -> answered(new Response.Result(id, result))),
                failure -> onContext(() -> answered(Outcome.failure(id, failure))));
    }

    /**
     * Writes the last frame and hands the socket over once the console is open. Nothing else may
     * be in flight: the node asking for a console sends nothing after its request until answered.
     */
    private void takeOver(long id, Outcome.Takeover takeover) {
        if (peer == null || !peer.node()) {
            send(new Response.Failure(id, ErrorCode.FORBIDDEN, "rule node-only: only a node's agent connection becomes a console"));
            return;
        }
        inFlight++;
        updateReading();
        takeover.ready().subscribe().with(
                join -> onContext(() -> {
                    inFlight--;
                    send(new Response.Result(id, Json.object().put("attached", true)));
                    tookOver = true;
                    context.owner().cancelTimer(idleTimer);
                    writableWaiters.clear();
                    socket.drainHandler(null);
                    socket.pause();
                    socket.handler(null);
                    join.accept(new TakenOver());
                }),
                failure -> onContext(() -> answered(Outcome.failure(id, failure))));
    }

    /**
     * This connection's socket as a console relay's end, after {@link #takeOver}: a plain socket end,
     * except that the socket's close handler stays this connection's, which passes the close on.
     */
    private final class TakenOver extends io.acp.console.NetSocketEnd {
        TakenOver() {
            super(socket, Buffer.buffer());
        }

        @Override
        public void closeHandler(Runnable onClose) {
            onContext(() -> {
                if (closed) {
                    onClose.run();
                } else {
                    tookOverClosed = onClose;
                }
            });
        }
    }

    private void answered(Response response) {
        inFlight--;
        send(response);
        updateReading();
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
    public AgentPeer peer() {
        return peer;
    }

    @Override
    public void streamEnded(StreamRelay relay) {
        streams.ended(relay);
    }

    // ---- frames out -------------------------------------------------------------------------------

    @Override
    public void send(Response response) {
        if (!closed && !tookOver) {
            socket.write(Buffer.buffer(Frames.frame(EnvelopeCodec.encode(response))));
            updateReading();
        }
    }

    @Override
    public void sendThen(Response response, Runnable next) {
        send(response);
        whenWritable(next);
    }

    /** Runs {@code action} now if the socket can take more, else once it has drained. */
    void whenWritable(Runnable action) {
        if (closed) {
            return;
        }
        if (socket.writeQueueFull()) {
            writableWaiters.add(action);
        } else {
            action.run();
        }
    }

    private void drained() {
        updateReading();
        while (!writableWaiters.isEmpty() && !socket.writeQueueFull()) {
            writableWaiters.poll().run();
        }
    }

    private void updateReading() {
        if (tookOver) {
            return; // the console relay paces the socket now
        }
        boolean pause = !closed && (socket.writeQueueFull() || inFlight >= MAX_IN_FLIGHT);
        if (pause && !readPaused) {
            socket.pause();
        } else if (!pause && readPaused) {
            socket.resume();
        }
        readPaused = pause;
    }

    @Override
    public void onContext(Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(v -> action.run());
        }
    }

    // ---- idleness and shutdown --------------------------------------------------------------------

    /** A connection that sent no complete frame for the idle timeout and has no open stream is closed. */
    private void scheduleIdleCheck(long delayNanos) {
        idleTimer = context.owner().setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos)), t -> {
            long timeout = shared.config().idleTimeout().toNanos();
            long idle = System.nanoTime() - lastFrameNanos;
            if (closed || tookOver) {
                return;
            }
            if (idle >= timeout && streams.isEmpty()) {
                LOG.debugf("API connection %s idle for %d ms: closed", socket.remoteAddress(), TimeUnit.NANOSECONDS.toMillis(idle));
                socket.close();
            } else {
                scheduleIdleCheck(idle >= timeout ? timeout : timeout - idle);
            }
        });
    }

    /** Ends every stream with {@code end}, then closes once those frames are written. */
    @Override
    public Future<Void> shutdown() {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
            streams.finishAll(true);
            if (closed) {
                done.complete();
            } else {
                socket.end().onComplete(r -> done.complete());
            }
        });
        return done.future();
    }

    private void closed() {
        closed = true;
        context.owner().cancelTimer(idleTimer);
        streams.finishAll(false);
        writableWaiters.clear();
        onClosed.accept(this);
        if (tookOverClosed != null) {
            tookOverClosed.run();
        }
    }
}
