package io.acp.webapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Json;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real WebSocket client (Vert.x) for tests: every text message it receives, parsed, in a queue. */
public final class WsClient implements AutoCloseable {

    private final WebSocketClient client;
    private final WebSocket socket;
    private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private final CompletableFuture<Short> closeStatus = new CompletableFuture<>();

    private WsClient(WebSocketClient client, WebSocket socket) {
        this.client = client;
        this.socket = socket;
        socket.textMessageHandler(text -> {
            try {
                received.add(Json.MAPPER.readTree(text));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("the node sent a message that is not JSON: " + text, e);
            }
        });
        socket.closeHandler(v -> closeStatus.complete(socket.closeStatusCode() == null ? -1 : socket.closeStatusCode()));
    }

    /** Connects to {@code uri} (ws://host:port/api/ws), with an Origin header unless {@code origin} is null. */
    public static WsClient connect(Vertx vertx, URI uri, String origin) {
        WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(16 * 1024 * 1024));
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(uri.getHost()).setPort(uri.getPort()).setURI(uri.getRawPath());
        if (origin != null) {
            options.addHeader("Origin", origin);
        }
        try {
            // Handlers are set in the connect handler, on the connection's event loop before any
            // later event of it: set once connect() had returned, a close that came first (a node
            // that is not running closes at once) would be missed.
            java.util.concurrent.CompletableFuture<WsClient> connected = new java.util.concurrent.CompletableFuture<>();
            client.connect(options, r -> {
                if (r.succeeded()) {
                    connected.complete(new WsClient(client, r.result()));
                } else {
                    connected.completeExceptionally(r.cause());
                }
            });
            return connected.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            client.close();
            throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            client.close();
            throw new IllegalStateException("WebSocket connect to " + uri + " failed: " + e, e);
        }
    }

    public void send(String text) {
        socket.writeTextMessage(text);
    }

    /** The next message, failing after {@code limit}. */
    public JsonNode next(Duration limit) throws InterruptedException {
        JsonNode n = received.poll(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (n == null) {
            throw new AssertionError("no message from the node within " + limit);
        }
        return n;
    }

    /** The next message answering request {@code id} (skipping others). */
    public JsonNode answer(long id, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode n = received.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
            if (n == null) {
                throw new AssertionError("no answer to request " + id + " within " + limit);
            }
            if (n.path("id").asLong() == id) {
                return n;
            }
        }
    }

    public BlockingQueue<JsonNode> received() {
        return received;
    }

    public WebSocket socket() {
        return socket;
    }

    /** The close status the node sent, once closed. */
    public short awaitClose(Duration limit) throws Exception {
        return closeStatus.get(limit.toMillis(), TimeUnit.MILLISECONDS);
    }

    public boolean closed() {
        return closeStatus.isDone();
    }

    @Override
    public void close() {
        if (!socket.isClosed()) {
            socket.close();
        }
        client.close();
    }
}
