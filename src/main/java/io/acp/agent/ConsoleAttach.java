package io.acp.agent;

import io.acp.console.ByteEnd;
import io.acp.console.NetSocketEnd;
import io.acp.protocol.AcpException;
import io.acp.protocol.EnvelopeCodec;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Frames;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.time.Duration;

/**
 * The asking side of {@code console.attach} on a connection of its own to another node's agent:
 * sends the request, reads exactly one answer frame, and hands the socket on as a raw byte end
 * with whatever console bytes arrived behind the answer. An error answer closes the connection
 * and fails with the node's error as is; no answer within the timeout fails with TIMEOUT.
 */
final class ConsoleAttach {

    /** An answer to console.attach is a few bytes; more before the frame is complete is not an agent. */
    private static final int MAX_ANSWER_BYTES = 64 * 1024;

    private ConsoleAttach() {
    }

    static Uni<ByteEnd> over(NetSocket socket, Request request, String node, Duration timeout) {
        Promise<ByteEnd> attached = Promise.promise();
        Buffer got = Buffer.buffer();
        socket.handler(chunk -> {
            got.appendBuffer(chunk);
            if (got.length() < Frames.HEADER_BYTES) {
                return;
            }
            long length = Frames.length(got.getBytes(0, Frames.HEADER_BYTES), 0);
            if (length > MAX_ANSWER_BYTES) {
                attached.tryFail(new AcpException(ErrorCode.INTERNAL, "node " + node + " answered console.attach with a frame of " + length + " bytes"));
                socket.close();
                return;
            }
            int end = Frames.HEADER_BYTES + (int) length;
            if (got.length() < end) {
                return;
            }
            socket.pause();
            socket.handler(null);
            Response r;
            try {
                r = EnvelopeCodec.decodeResponse(got.getBytes(Frames.HEADER_BYTES, end));
            } catch (RuntimeException e) {
                attached.tryFail(new AcpException(ErrorCode.INTERNAL, "node " + node + " answered console.attach with an unreadable frame"));
                socket.close();
                return;
            }
            if (r instanceof Response.Failure f) {
                attached.tryFail(new AcpException(f.code(), f.message())); // before closing: the close handler would fail it as unavailable
                socket.close();
            } else {
                attached.tryComplete(new NetSocketEnd(socket, got.getBuffer(end, got.length())));
            }
        });
        socket.closeHandler(v -> attached.tryFail(new AcpException(ErrorCode.UNAVAILABLE, "node " + node
                + " closed the console connection before it answered")));
        socket.write(Buffer.buffer(Frames.frame(EnvelopeCodec.encode(request))));
        return Uni.createFrom().completionStage(() -> attached.future().toCompletionStage())
                .ifNoItem().after(timeout).failWith(() -> {
                    socket.close();
                    return new AcpException(ErrorCode.TIMEOUT, "node " + node + " did not answer console.attach within " + timeout.toMillis() + " ms");
                });
    }
}
