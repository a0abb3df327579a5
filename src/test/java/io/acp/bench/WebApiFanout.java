package io.acp.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Json;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * N WebSocket clients, each watching the stats of one node (the node's own 1 Hz samples), for a
 * while. Afterwards every client's versions are compared with what the node wrote in the window
 * (its stats history): a version the node wrote that a client never saw is a lost update, and a
 * version a client saw twice or out of order is counted too. Used by {@link WebApiFanoutBench}
 * (1,000 clients, 60 s, a node process) and by a short test.
 */
public final class WebApiFanout {

    /** What the run found. */
    public record Result(int clients, long written, long lost, long outOfOrder, long events) {
    }

    private final Vertx vertx;
    private final URI ws;
    private final String key;
    private final String node;

    public WebApiFanout(Vertx vertx, URI ws, String key, String node) {
        this.vertx = vertx;
        this.ws = ws;
        this.key = key;
        this.node = node;
    }

    private static final class Client {
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        final AtomicLong outOfOrder = new AtomicLong();
        final AtomicLong events = new AtomicLong();
        volatile long lastTime = Long.MIN_VALUE;
        volatile boolean watching;
        WebSocket socket;
    }

    /**
     * Opens {@code clients} watches, measures for {@code duration}, and compares.
     *
     * @param written      the versions the node wrote with a time in [from, to] ms (its stats history)
     * @param windowStarts called as the measured window begins (to start a CPU reading)
     */
    public Result run(int clients, Duration duration, Function<long[], List<String>> written, Runnable windowStarts) throws Exception {
        WebSocketClient wsClient = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxMessageSize(1 << 20).setMaxConnections(clients + 10));
        List<Client> all = new ArrayList<>();
        try {
            for (int batch = 0; batch < clients; batch += 50) {
                List<Future<WebSocket>> opening = new ArrayList<>();
                for (int i = batch; i < Math.min(clients, batch + 50); i++) {
                    Client c = new Client();
                    all.add(c);
                    opening.add(open(wsClient, c));
                }
                Future.all(opening).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (all.stream().anyMatch(c -> !c.watching)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not every client's watch opened within 60 s");
                }
                Thread.sleep(50);
            }
            // The window starts a second after every watch is open, so no client can have missed its start.
            long from = System.currentTimeMillis() + 1000;
            windowStarts.run();
            Thread.sleep(duration.toMillis());
            long to = System.currentTimeMillis() - 1000;
            Thread.sleep(1500); // the last samples of the window in flight
            List<String> reference = written.apply(new long[] {from, to});
            long lost = 0;
            long outOfOrder = 0;
            long events = 0;
            for (Client c : all) {
                for (String v : reference) {
                    if (!c.seen.contains(v)) {
                        lost++;
                    }
                }
                outOfOrder += c.outOfOrder.get();
                events += c.events.get();
            }
            return new Result(clients, reference.size(), lost, outOfOrder, events);
        } finally {
            for (Client c : all) {
                if (c.socket != null) {
                    c.socket.close();
                }
            }
            wsClient.close();
        }
    }

    private Future<WebSocket> open(WebSocketClient client, Client c) {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(ws.getHost()).setPort(ws.getPort()).setURI(ws.getRawPath());
        return client.connect(options).onSuccess(socket -> {
            c.socket = socket;
            socket.textMessageHandler(text -> received(c, text));
            socket.writeTextMessage("{\"id\":1,\"service\":\"cluster\",\"op\":\"watch\",\"key\":\"" + key
                    + "\",\"args\":{\"type\":\"node\",\"id\":\"" + node + "\",\"kinds\":[\"stats\"]}}");
        });
    }

    private static void received(Client c, String text) {
        JsonNode m;
        try {
            m = Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not JSON from the node: " + text, e);
        }
        if (m.has("result")) {
            c.watching = true;
            return;
        }
        JsonNode e = m.get("event");
        if (e == null) {
            throw new IllegalStateException("unexpected answer: " + text);
        }
        c.events.incrementAndGet();
        long time = e.path("time").asLong();
        if (!c.seen.add(e.path("version").asText()) || time < c.lastTime) {
            c.outOfOrder.incrementAndGet();
        }
        c.lastTime = time;
    }

    /** The versions among {@code history} (stats entries) whose time is within [from, to]. */
    public static List<String> versionsWithin(JsonNode history, long from, long to) {
        List<String> out = new ArrayList<>();
        for (JsonNode h : history) {
            long t = h.path("time").asLong();
            if (t >= from && t <= to) {
                out.add(h.path("version").asText());
            }
        }
        return out;
    }
}
