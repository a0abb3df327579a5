package io.acp.console;

import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;

/**
 * One end of a console relay: a byte stream that can be read with backpressure and written with a
 * bounded queue. The browser's WebSocket, a TCP socket (a VNC display, an agent connection) and a
 * serial pty each adapt to it; {@link ConsoleRelay} joins two of them. Every method may be called
 * from any thread; the callbacks run on the end's event loop.
 */
public interface ByteEnd {

    /** Where the bytes read from this end go, chunk by chunk; set once, then reading starts. */
    void handler(Consumer<Buffer> chunks);

    /** Stops reading (the other end's write queue is full). */
    void pause();

    /** Reads again. */
    void resume();

    /** Queues {@code chunk} to be written to this end. */
    void write(Buffer chunk);

    /** True while this end's unwritten bytes are above its bound: the writer must pause its source. */
    boolean writeQueueFull();

    /** Runs {@code drained} once, when the write queue is no longer full. */
    void drainHandler(Runnable drained);

    /** Runs {@code closed} when this end closes or fails by itself (not needed after {@link #close}). */
    void closeHandler(Runnable closed);

    /** Closes this end; idempotent. */
    void close();

    /** Bytes this end read before the relay began (an agent's answer may arrive with the first console bytes); empty by default. */
    default Buffer alreadyRead() {
        return Buffer.buffer();
    }
}
