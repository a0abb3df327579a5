package io.acp.console;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * A serial console's pty (the slave side qemu allocated, in raw mode) as a relay end. A pty cannot
 * be read without blocking, so one thread per open console reads it, one chunk at a time: the
 * next read waits until the chunk was handed on and the relay has not paused this end, so at most
 * {@link #CHUNK} bytes are ever in flight. Writes go through the worker pool in order, at most
 * {@link #MAX_UNWRITTEN} bytes queued. Closing the channel ends a blocked read.
 *
 * <p>Reads and writes go through two channels of their own on the same pty: a JDK
 * {@link FileChannel} holds one lock through both its read and its write, so with one channel a
 * read blocked on a quiet guest would hold every keystroke back until the guest printed something.
 */
final class PtyEnd implements ByteEnd {

    private static final Logger LOG = Logger.getLogger(PtyEnd.class);
    static final int CHUNK = 16 * 1024;
    static final int MAX_UNWRITTEN = 64 * 1024;

    private final Vertx vertx;
    private final Context context;
    private final Path path;
    private final FileChannel channel;
    private final FileChannel writer;
    private final Object lock = new Object();
    private final AtomicBoolean closed = new AtomicBoolean();
    private boolean paused;
    private boolean inFlight;
    private int unwritten;
    private Consumer<Buffer> handler;
    private volatile Runnable drainHandler;
    private volatile Runnable closeHandler;

    private PtyEnd(Vertx vertx, Context context, Path path) throws IOException {
        this.vertx = vertx;
        this.context = context;
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            this.writer = FileChannel.open(path, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Opens {@code path} for reading and writing (on a worker: opening a device may block). */
    static Uni<ByteEnd> open(Vertx vertx, Path path) {
        Context context = vertx.getOrCreateContext();
        return Uni.createFrom().completionStage(() -> vertx.executeBlocking(() -> (ByteEnd) new PtyEnd(vertx, context, path), false).toCompletionStage());
    }

    @Override
    public void handler(Consumer<Buffer> chunks) {
        synchronized (lock) {
            if (handler != null) {
                throw new IllegalStateException("the reader of " + path + " has a handler already");
            }
            handler = chunks;
        }
        Thread reader = new Thread(this::readLoop, "acp-serial-" + path.getFileName());
        reader.setDaemon(true);
        reader.start();
    }

    private void readLoop() {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        try {
            while (!closed.get()) {
                synchronized (lock) {
                    while ((paused || inFlight) && !closed.get()) {
                        lock.wait();
                    }
                    inFlight = true;
                }
                chunk.clear();
                int n = channel.read(chunk);
                if (n < 0) {
                    break;
                }
                Buffer b = Buffer.buffer(n);
                b.appendBytes(chunk.array(), 0, n);
                context.runOnContext(v -> {
                    try {
                        handler.accept(b);
                    } finally {
                        synchronized (lock) {
                            inFlight = false;
                            lock.notifyAll();
                        }
                    }
                });
            }
        } catch (IOException e) {
            // qemu closed its side (the system stopped) or we closed the channel: the console is over.
            LOG.debugf("serial console %s: %s", path, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        context.runOnContext(v -> closedByItself());
    }

    @Override
    public void pause() {
        synchronized (lock) {
            paused = true;
        }
    }

    @Override
    public void resume() {
        synchronized (lock) {
            paused = false;
            lock.notifyAll();
        }
    }

    @Override
    public void write(Buffer chunk) {
        int n = chunk.length();
        synchronized (lock) {
            unwritten += n;
        }
        byte[] bytes = chunk.getBytes();
        vertx.executeBlocking(() -> {
            ByteBuffer bb = ByteBuffer.wrap(bytes);
            while (bb.hasRemaining()) {
                writer.write(bb);
            }
            return null;
        }, true).onComplete(done -> {
            boolean drained;
            synchronized (lock) {
                unwritten -= n;
                drained = unwritten <= MAX_UNWRITTEN / 2;
            }
            if (done.failed()) {
                close();
                return;
            }
            Runnable d = drainHandler;
            if (drained && d != null) {
                drainHandler = null;
                context.runOnContext(v -> d.run());
            }
        });
    }

    @Override
    public boolean writeQueueFull() {
        synchronized (lock) {
            return unwritten > MAX_UNWRITTEN;
        }
    }

    @Override
    public void drainHandler(Runnable drained) {
        drainHandler = drained;
    }

    @Override
    public void closeHandler(Runnable closed) {
        closeHandler = closed;
    }

    private void closedByItself() {
        Runnable c = closeHandler;
        close();
        if (c != null) {
            c.run();
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (lock) {
            lock.notifyAll();
        }
        // Closing wakes a thread blocked in read (the JDK signals it), and may wait for it: not on an event loop.
        vertx.executeBlocking(() -> {
            try {
                channel.close();
            } finally {
                writer.close();
            }
            return null;
        }, false);
    }
}
