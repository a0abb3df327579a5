package io.acp.api.client;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Frames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * One connection to a node's API, sending and receiving length-prefixed frames. Blocking for the
 * caller, but built on a non-blocking channel and a selector so reads can time out (a Unix-socket
 * channel has no SO_TIMEOUT). Not thread-safe: {@link ApiClient} serializes access.
 */
final class FramedChannel implements FrameChannel {

    private final SocketChannel channel;
    private final Selector selector;
    private final String peer;

    private FramedChannel(SocketChannel channel, Selector selector, String peer) {
        this.channel = channel;
        this.selector = selector;
        this.peer = peer;
    }

    /** Connects, or throws the IOException for the caller to explain. */
    static FramedChannel connect(ApiEndpoint endpoint) throws IOException {
        SocketChannel ch = SocketChannel.open(endpoint.address());
        try {
            ch.configureBlocking(false);
            return new FramedChannel(ch, Selector.open(), endpoint.describe());
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    @Override
    public void send(byte[] payload, Duration timeout) {
        ByteBuffer buf = ByteBuffer.wrap(Frames.frame(payload));
        long deadline = deadline(timeout);
        try {
            while (buf.hasRemaining()) {
                if (channel.write(buf) == 0) {
                    await(SelectionKey.OP_WRITE, deadline, "sending a request");
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            throw lost(e);
        }
    }

    /**
     * Reads the next whole frame. A null or non-positive timeout waits for ever (streams).
     *
     * @throws AcpException TIMEOUT when nothing complete arrived in time, UNAVAILABLE when the
     *                      connection closed, BAD_FRAME for a length over the client limit
     */
    @Override
    public byte[] receive(Duration timeout) {
        long deadline = deadline(timeout);
        ByteBuffer header = ByteBuffer.allocate(Frames.HEADER_BYTES);
        fill(header, deadline);
        long length = Frames.length(header.array(), 0);
        if (length == 0 || length > Frames.MAX_RESPONSE_BYTES) {
            throw new AcpException(ErrorCode.BAD_FRAME, "the node at " + peer + " sent a frame of " + length
                    + " bytes; a client accepts 1 to " + Frames.MAX_RESPONSE_BYTES);
        }
        ByteBuffer body = ByteBuffer.allocate((int) length);
        fill(body, deadline);
        return body.array();
    }

    private void fill(ByteBuffer buf, long deadline) {
        try {
            while (buf.hasRemaining()) {
                int n = channel.read(buf);
                if (n < 0) {
                    throw new AcpException(ErrorCode.UNAVAILABLE, "the node at " + peer + " closed the connection");
                }
                if (n == 0) {
                    await(SelectionKey.OP_READ, deadline, "waiting for a response");
                }
            }
        } catch (IOException | ClosedSelectorException e) {
            throw lost(e);
        }
    }

    private void await(int op, long deadline, String doing) throws IOException {
        SelectionKey key = channel.register(selector, op);
        try {
            long waitMs = deadline == Long.MAX_VALUE ? 0 : Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            if (deadline != Long.MAX_VALUE && System.nanoTime() >= deadline) {
                throw new AcpException(ErrorCode.TIMEOUT, "no answer from the node at " + peer + " while " + doing);
            }
            selector.select(waitMs);
            selector.selectedKeys().clear();
            if (Thread.currentThread().isInterrupted()) {
                throw new AcpException(ErrorCode.UNAVAILABLE, "interrupted while " + doing + " from the node at " + peer);
            }
        } finally {
            if (key.isValid()) { // not after close() from another thread
                key.interestOps(0);
            }
        }
    }

    private static long deadline(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return Long.MAX_VALUE;
        }
        return System.nanoTime() + timeout.toNanos();
    }

    private AcpException lost(Exception e) {
        String reason = e.getMessage() != null ? e.getMessage() : "connection closed";
        return new AcpException(ErrorCode.UNAVAILABLE, "connection to the node at " + peer + " failed: " + reason, e);
    }

    @Override
    public void close() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to release
        }
    }
}
