package io.acp.console;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Joins two {@link ByteEnd}s: what one reads the other writes, both ways. Nothing is queued here:
 * when an end's write queue is full its source pauses until it drained, so a slow browser slows the
 * console down instead of filling the node's memory. Either end closing, or no byte either way for
 * the idle timeout, closes both and runs {@code onClosed} once.
 */
public final class ConsoleRelay {

    private final Vertx vertx;
    private final ByteEnd a;
    private final ByteEnd b;
    private final long idleNanos;
    private final Runnable onClosed;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong toB = new AtomicLong();
    private final AtomicLong toA = new AtomicLong();
    private volatile long lastNanos = System.nanoTime();
    private volatile long idleTimer = -1;

    private ConsoleRelay(Vertx vertx, ByteEnd a, ByteEnd b, Duration idle, Runnable onClosed) {
        this.vertx = vertx;
        this.a = a;
        this.b = b;
        this.idleNanos = idle.toNanos();
        this.onClosed = onClosed;
    }

    /** Starts relaying between {@code a} and {@code b} at once (the bytes each already read go first). */
    public static ConsoleRelay join(Vertx vertx, ByteEnd a, ByteEnd b, Duration idle, Runnable onClosed) {
        ConsoleRelay r = new ConsoleRelay(vertx, a, b, idle, onClosed);
        r.start();
        return r;
    }

    private void start() {
        a.closeHandler(this::close);
        b.closeHandler(this::close);
        forward(a.alreadyRead(), b, toB);
        forward(b.alreadyRead(), a, toA);
        pump(a, b, toB);
        pump(b, a, toA);
        scheduleIdleCheck(idleNanos);
    }

    private void pump(ByteEnd from, ByteEnd to, AtomicLong counter) {
        from.handler(chunk -> {
            forward(chunk, to, counter);
            if (to.writeQueueFull()) {
                from.pause();
                to.drainHandler(from::resume);
            }
        });
    }

    private void forward(Buffer chunk, ByteEnd to, AtomicLong counter) {
        if (chunk.length() == 0 || closed.get()) {
            return;
        }
        lastNanos = System.nanoTime();
        counter.addAndGet(chunk.length());
        to.write(chunk);
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleTimer = vertx.setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(delayNanos)), t -> {
            long idle = System.nanoTime() - lastNanos;
            if (closed.get()) {
                return;
            }
            if (idle >= idleNanos) {
                close();
            } else {
                scheduleIdleCheck(idleNanos - idle);
            }
        });
    }

    /** Closes both ends; idempotent. */
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        vertx.cancelTimer(idleTimer);
        a.close();
        b.close();
        onClosed.run();
    }

    public boolean closed() {
        return closed.get();
    }

    /** Bytes carried from the first end to the second so far. */
    public long bytesForward() {
        return toB.get();
    }

    /** Bytes carried from the second end to the first so far. */
    public long bytesBack() {
        return toA.get();
    }
}
