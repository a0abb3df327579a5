package io.acp.api.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.EnvelopeCodec;
import io.acp.protocol.Frames;
import io.acp.protocol.Request;
import io.acp.protocol.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A stand-in for a node's API on a real Unix socket or loopback TCP port, answering each request
 * with canned frames. It isolates client and CLI tests from the node; the process-level ITs test
 * against the real node.
 */
public final class FakeApiServer implements AutoCloseable {

    /** Raw bytes written back as they are, for malformed-answer tests. */
    public record Raw(byte[] bytes) {
    }

    private final ServerSocketChannel server;
    private final ApiEndpoint endpoint;
    private final Function<Request, List<Object>> answers;
    private final List<Request> received = new CopyOnWriteArrayList<>();
    private final List<SocketChannel> connections = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private FakeApiServer(ServerSocketChannel server, ApiEndpoint endpoint, Function<Request, List<Object>> answers) {
        this.server = server;
        this.endpoint = endpoint;
        this.answers = answers;
        this.acceptor = new Thread(this::acceptLoop, "fake-api-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Listens on {@code socket}; {@code answers} maps each request to what goes back: {@link Response}s,
     * {@link Raw} bytes, or nothing (no answer).
     */
    public static FakeApiServer unix(Path socket, Function<Request, List<Object>> answers) throws IOException {
        Files.deleteIfExists(socket);
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket));
        return new FakeApiServer(ch, new ApiEndpoint.Unix(socket), answers);
    }

    public static FakeApiServer tcp(Function<Request, List<Object>> answers) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
        return new FakeApiServer(ch, new ApiEndpoint.Tcp("127.0.0.1", port), answers);
    }

    /** Answers every request with a result. */
    public static Function<Request, List<Object>> result(JsonNode result) {
        return r -> List.of(new Response.Result(r.id(), result));
    }

    public ApiEndpoint endpoint() {
        return endpoint;
    }

    public List<Request> received() {
        return received;
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                connections.add(c);
                Thread t = new Thread(() -> serve(c), "fake-api-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(SocketChannel c) {
        try (c) {
            while (true) {
                ByteBuffer header = ByteBuffer.allocate(Frames.HEADER_BYTES);
                if (!readFully(c, header)) {
                    return;
                }
                ByteBuffer body = ByteBuffer.allocate((int) Frames.length(header.array(), 0));
                if (!readFully(c, body)) {
                    return;
                }
                Request r = EnvelopeCodec.decodeRequest(body.array());
                received.add(r);
                for (Object answer : answers.apply(r)) {
                    byte[] bytes = answer instanceof Raw raw ? raw.bytes() : Frames.frame(EnvelopeCodec.encode((Response) answer));
                    c.write(ByteBuffer.wrap(bytes));
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away or the test closed the server
        }
    }

    private static boolean readFully(SocketChannel c, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (c.read(buf) < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (SocketChannel c : connections) {
            c.close();
        }
        if (endpoint instanceof ApiEndpoint.Unix u) {
            Files.deleteIfExists(u.socket());
        }
    }
}
