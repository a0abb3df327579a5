package io.acp.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.AcpException;
import io.acp.protocol.EnvelopeCodec;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.FrameDecoder;
import io.acp.protocol.Frames;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One mutual-TLS connection to another node's agent, shared by every request routed there. Each
 * request gets an id unique on the link; the answer is matched back by it and given the client's
 * own id by the caller. When the link closes, everything waiting on it fails with UNAVAILABLE.
 */
final class PeerLink implements FrameDecoder.Sink {

    private final String node;
    private final String address;
    private final NetSocket socket;
    private final X509Certificate certificate;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final FrameDecoder decoder = new FrameDecoder(Frames.MAX_RESPONSE_BYTES, this);
    private volatile boolean closed;

    PeerLink(String node, String address, NetSocket socket, X509Certificate certificate) {
        this.node = node;
        this.address = address;
        this.socket = socket;
        this.certificate = certificate;
        socket.handler(decoder::feed);
        socket.closeHandler(v -> {
            closed = true;
            failAll("the connection to node " + node + " at " + address + " closed");
        });
        socket.exceptionHandler(e -> socket.close());
    }

    boolean open() {
        return !closed;
    }

    String address() {
        return address;
    }

    String node() {
        return node;
    }

    /** The certificate the peer proved itself with when the link was made. */
    X509Certificate certificate() {
        return certificate;
    }

    /** Sends {@code request} and waits up to {@code timeout} for its answer. */
    Uni<JsonNode> call(Request request, Duration timeout) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        if (closed) {
            pending.remove(id);
            return Uni.createFrom().failure(unavailable("the connection to node " + node + " at " + address + " closed"));
        }
        Request onLink = new Request(id, request.node(), request.service(), request.op(), request.args(), request.key(), request.caller(), request.task());
        socket.write(Buffer.buffer(Frames.frame(EnvelopeCodec.encode(onLink))));
        return Uni.createFrom().completionStage(answer)
                .ifNoItem().after(timeout).failWith(() -> new AcpException(ErrorCode.TIMEOUT, "node " + node + " at " + address
                        + " did not answer " + request.service() + "." + request.op() + " within " + timeout.toMillis() + " ms"))
                .onTermination().invoke(() -> pending.remove(id));
    }

    @Override
    public void frame(byte[] payload) {
        Response r;
        try {
            r = EnvelopeCodec.decodeResponse(payload);
        } catch (RuntimeException e) {
            socket.close(); // a peer that speaks garbage is not worth keeping
            return;
        }
        CompletableFuture<JsonNode> answer = pending.remove(r.id());
        if (answer == null) {
            return; // answer to a request that timed out meanwhile
        }
        if (r instanceof Response.Result res) {
            answer.complete(res.result());
        } else if (r instanceof Response.Failure f) {
            answer.completeExceptionally(new AcpException(f.code(), f.message()));
        } else {
            answer.completeExceptionally(new AcpException(ErrorCode.INTERNAL, "node " + node + " answered with a stream frame"));
        }
    }

    @Override
    public void oversized(long length) {
        socket.close();
    }

    @Override
    public void empty() {
        socket.close();
    }

    void close() {
        socket.close();
    }

    private void failAll(String why) {
        for (Long id : pending.keySet()) {
            CompletableFuture<JsonNode> f = pending.remove(id);
            if (f != null) {
                f.completeExceptionally(unavailable(why));
            }
        }
    }

    private static AcpException unavailable(String why) {
        return new AcpException(ErrorCode.UNAVAILABLE, why);
    }
}
