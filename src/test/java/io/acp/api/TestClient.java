package io.acp.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.EnvelopeCodec;
import io.acp.protocol.Frames;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small blocking client for tests: a JDK SocketChannel (Unix or TCP) and a reader thread that
 * puts every response frame in a queue, so a test can wait for a frame with a time limit and can
 * see the server closing the connection.
 */
final class TestClient implements AutoCloseable {

    /** Put in the queue when the server closed the connection. */
    static final Response CLOSED = new Response.End(-1);
    private static final long WAIT_SECONDS = 10;

    private final SocketChannel channel;
    private final BlockingQueue<Response> responses = new LinkedBlockingQueue<>();
    private final AtomicLong nextId = new AtomicLong(1);
    private final Thread reader;
    private String key;

    private TestClient(SocketChannel channel, boolean reading) {
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "test-client-reader");
        reader.setDaemon(true);
        if (reading) {
            reader.start();
        }
    }

    /** A client that reads nothing until {@link #startReading()}: a slow reader. */
    static TestClient unixNotReading(Path socket) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        ch.connect(UnixDomainSocketAddress.of(socket));
        return new TestClient(ch, false);
    }

    void startReading() {
        reader.start();
    }

    static TestClient unix(Path socket) throws IOException {
        return connect(UnixDomainSocketAddress.of(socket), StandardProtocolFamily.UNIX);
    }

    static TestClient tcp(int port) throws IOException {
        return connect(new InetSocketAddress("127.0.0.1", port), StandardProtocolFamily.INET);
    }

    private static TestClient connect(SocketAddress address, StandardProtocolFamily family) throws IOException {
        SocketChannel ch = SocketChannel.open(family);
        ch.connect(address);
        return new TestClient(ch, true);
    }

    /** Sends this key with the next request only (the connection then stays authenticated). */
    TestClient withKey(String key) {
        this.key = key;
        return this;
    }

    /** Sends a request and returns its id. */
    long send(String service, String op, ObjectNode args) {
        return send(null, service, op, args);
    }

    long send(String node, String service, String op, ObjectNode args) {
        long id = nextId.getAndIncrement();
        Request r = new Request(id, node, service, op, args == null ? Json.object() : args, key);
        key = null;
        sendPayload(EnvelopeCodec.encode(r));
        return id;
    }

    /** Sends a request and waits for its first response frame. */
    Response call(String service, String op, ObjectNode args) {
        long id = send(service, op, args);
        Response r = next();
        if (r.id() != id) {
            throw new AssertionError("expected a response to request " + id + ", got " + r);
        }
        return r;
    }

    JsonNode result(String service, String op, ObjectNode args) {
        Response r = call(service, op, args);
        if (!(r instanceof Response.Result res)) {
            throw new AssertionError(service + "." + op + " failed: " + r);
        }
        return res.result();
    }

    void sendPayload(byte[] payload) {
        sendRaw(Frames.frame(payload));
    }

    void sendRaw(byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                channel.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next response frame, or {@link #CLOSED}; fails the test after ten seconds. */
    Response next() {
        try {
            Response r = responses.poll(WAIT_SECONDS, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no response within " + WAIT_SECONDS + " s");
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** The next frame if one arrives within {@code millis}, else null. */
    Response poll(long millis) throws InterruptedException {
        return responses.poll(millis, TimeUnit.MILLISECONDS);
    }

    boolean pingAnswers() {
        Response r = call("api", "ping", null);
        return r instanceof Response.Result res && res.result().path("pong").asBoolean();
    }

    private void readLoop() {
        try {
            ByteBuffer header = ByteBuffer.allocate(Frames.HEADER_BYTES);
            while (true) {
                header.clear();
                if (!fill(header)) {
                    break;
                }
                long length = Frames.length(header.array(), 0);
                if (length > Frames.MAX_RESPONSE_BYTES) {
                    throw new IOException("response frame of " + length + " bytes");
                }
                ByteBuffer body = ByteBuffer.allocate((int) length);
                if (!fill(body)) {
                    break;
                }
                responses.add(EnvelopeCodec.decodeResponse(body.array()));
            }
        } catch (IOException | RuntimeException e) {
            // closed by either side
        }
        responses.add(CLOSED);
    }

    private boolean fill(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (channel.read(b) < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        channel.close();
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
