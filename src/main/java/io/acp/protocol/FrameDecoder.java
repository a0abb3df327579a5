package io.acp.protocol;

import io.vertx.core.buffer.Buffer;

/**
 * Cuts a byte stream into frames without ever holding more than one frame of at most
 * {@code maxFrameBytes}. An oversized frame is reported and its bytes are skipped as they arrive
 * (never buffered), so the connection stays usable; an empty frame is reported as bad. The buffer
 * of a frame grows with the bytes that arrived, never with the length its header announces, so a
 * peer that announces a large frame and sends little costs little.
 * Not thread-safe: feed it from one connection's handler.
 */
public final class FrameDecoder {

    /** What the decoder tells its connection. */
    public interface Sink {
        void frame(byte[] payload);

        /** A frame declared {@code length} bytes, more than allowed; its bytes will be skipped. */
        void oversized(long length);

        /** A zero-length frame. */
        void empty();
    }

    /** First buffer of a frame; it doubles as bytes arrive, up to the announced length. */
    static final int INITIAL_BUFFER = 4096;

    private int maxFrameBytes;
    private final Sink sink;
    private final byte[] header = new byte[Frames.HEADER_BYTES];
    private int headerFill;
    private byte[] body;
    private int bodyLength;
    private int bodyFill;
    private long skipRemaining;

    public FrameDecoder(int maxFrameBytes, Sink sink) {
        this.maxFrameBytes = maxFrameBytes;
        this.sink = sink;
    }

    /** Changes the limit for frames whose header has not arrived yet (a connection that authenticated may send more). */
    public void maxFrameBytes(int limit) {
        this.maxFrameBytes = limit;
    }

    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    public void feed(Buffer chunk) {
        feed(chunk.getBytes());
    }

    public void feed(byte[] data) {
        int pos = 0;
        while (pos < data.length) {
            if (skipRemaining > 0) {
                int n = (int) Math.min(skipRemaining, data.length - pos);
                skipRemaining -= n;
                pos += n;
            } else if (body != null) {
                int n = Math.min(bodyLength - bodyFill, data.length - pos);
                if (bodyFill + n > body.length) {
                    body = java.util.Arrays.copyOf(body, (int) Math.min(bodyLength, Math.max(bodyFill + (long) n, 2L * body.length)));
                }
                System.arraycopy(data, pos, body, bodyFill, n);
                bodyFill += n;
                pos += n;
                if (bodyFill == bodyLength) {
                    byte[] done = body.length == bodyLength ? body : java.util.Arrays.copyOf(body, bodyLength);
                    body = null;
                    sink.frame(done);
                }
            } else {
                header[headerFill++] = data[pos++];
                if (headerFill == Frames.HEADER_BYTES) {
                    headerFill = 0;
                    startFrame(Frames.length(header, 0));
                }
            }
        }
    }

    private void startFrame(long length) {
        if (length == 0) {
            sink.empty();
        } else if (length > maxFrameBytes) {
            skipRemaining = length;
            sink.oversized(length);
        } else {
            bodyLength = (int) length;
            body = new byte[Math.min(bodyLength, INITIAL_BUFFER)];
            bodyFill = 0;
        }
    }

    /** True while part of a frame has arrived but not all of it. */
    public boolean midFrame() {
        return headerFill > 0 || body != null || skipRemaining > 0;
    }
}
