package io.acp.webapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.console.HypervisorConsoles;
import io.acp.framework.ServiceManager;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetServer;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The consoles' WebSocket of a real node (Quarkus' HTTP listener, the real WebAPI and API) with a
 * real WebSocket client: another origin is refused at the upgrade, a read-only key gets
 * {@code forbidden} before anything opens, and an operator's console carries bytes both ways until
 * the browser closes it, which closes the console's socket too. The console is a loopback TCP
 * server that speaks first like a VNC display (no display exists without KVM; WebUiConsoleIT has one).
 */
@QuarkusTest
@TestProfile(WebApiProfile.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class ConsoleSocketTest {

    private static final Duration LIMIT = Duration.ofSeconds(10);
    private static final String OPERATOR_KEY = "acp_console-test-operator";
    private static final String READER_KEY = "acp_console-test-reader";

    @TestHTTPResource("/api/console")
    URI http;

    @Inject
    ServiceManager manager;

    @Inject
    WebApiService webapi;

    private Vertx vertx;
    private NetServer display;
    private final AtomicInteger displayOpened = new AtomicInteger();
    private final AtomicInteger displayOpen = new AtomicInteger();

    @BeforeAll
    void startNode() throws Exception {
        vertx = Vertx.vertx();
        Path data = Files.createDirectories(Path.of(WebApiProfile.DIR, "data"));
        // Keys of each role, in place before the API reads its key file at start; admin.key stays the admin's.
        String admin = Files.exists(data.resolve("admin.key")) ? Files.readString(data.resolve("admin.key")).trim() : "acp_console-test-admin";
        Files.writeString(data.resolve("admin.key"), admin + "\n");
        Files.writeString(data.resolve("api-keys"), "root admin " + hash(admin) + "\nops operator " + hash(OPERATOR_KEY) + "\nviewer read-only "
                + hash(READER_KEY) + "\n");
        manager.startAll().await().atMost(Duration.ofSeconds(30));
        display = vertx.createNetServer().connectHandler(s -> {
            displayOpened.incrementAndGet();
            displayOpen.incrementAndGet();
            s.closeHandler(v -> displayOpen.decrementAndGet());
            s.write("RFB 003.008\n");
            s.handler(s::write);
        });
        display.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        int port = display.actualPort();
        HypervisorConsoles displays = new HypervisorConsoles(() -> null, vertx, "web1"); // its connection to a display, to this one
        webapi.api().openConsolesThrough((id, kind) -> !id.equals("vm1") ? Uni.createFrom().failure(AcpException.notFound("system " + id))
                : displays.connect("127.0.0.1", port));
    }

    @AfterAll
    void stopNode() throws Exception {
        manager.stopAll().await().atMost(Duration.ofSeconds(30));
        display.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPageOfAnotherOriginCannotOpenAConsole() {
        int opened = displayOpened.get();
        assertThatThrownBy(() -> open("https://evil.example")).hasMessageContaining("403");
        assertThat(displayOpened.get()).isEqualTo(opened);
    }

    @Test
    void aReadOnlyKeyIsForbiddenAndNothingOpens() throws Exception {
        int opened = displayOpened.get();
        Console c = open(null);
        c.ws.writeTextMessage(hello(READER_KEY, "vm1"));
        JsonNode answer = c.texts.poll(10, TimeUnit.SECONDS);
        assertThat(answer.path("error").path("code").asText()).isEqualTo("forbidden");
        assertThat(answer.path("error").path("message").asText()).contains("viewer", "read-only");
        assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo((short) 1008);
        assertThat(displayOpened.get()).isEqualTo(opened);
    }

    @Test
    void anOperatorsConsoleCarriesBytesBothWaysAndClosingTheBrowserClosesTheDisplay() throws Exception {
        Console c = open("http://" + http.getHost() + ":" + http.getPort());
        c.ws.writeTextMessage(hello(OPERATOR_KEY, "vm1"));
        JsonNode answer = c.texts.poll(10, TimeUnit.SECONDS);
        assertThat(answer.path("attached").path("system").asText()).isEqualTo("vm1");
        c.ws.writeBinaryMessage(Buffer.buffer("typed"));
        StringBuilder got = new StringBuilder();
        long end = System.nanoTime() + LIMIT.toNanos();
        while (!got.toString().equals("RFB 003.008\ntyped") && System.nanoTime() < end) {
            Buffer b = c.binary.poll(100, TimeUnit.MILLISECONDS);
            if (b != null) {
                got.append(b.toString(StandardCharsets.US_ASCII));
            }
        }
        assertThat(got.toString()).isEqualTo("RFB 003.008\ntyped");
        assertThat(webapi.consoleCount()).isEqualTo(1);

        c.ws.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        long until = System.nanoTime() + LIMIT.toNanos();
        while ((displayOpen.get() != 0 || webapi.consoleCount() != 0) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(displayOpen.get()).isZero();
        assertThat(webapi.consoleCount()).isZero();
    }

    @Test
    void theSameSessionOpeningTheSameConsoleAgainReplacesTheOlderOne() throws Exception {
        Console first = open(null);
        first.ws.writeTextMessage(hello(OPERATOR_KEY, "vm1"));
        assertThat(first.texts.poll(10, TimeUnit.SECONDS).has("attached")).isTrue();
        Console second = open(null);
        second.ws.writeTextMessage(hello(OPERATOR_KEY, "vm1"));
        assertThat(second.texts.poll(10, TimeUnit.SECONDS).has("attached")).isTrue();
        // A reloaded page: the older console is closed, one stays open, with one display connection.
        assertThat(first.closed.get(10, TimeUnit.SECONDS)).isEqualTo((short) 1000);
        long until = System.nanoTime() + LIMIT.toNanos();
        // "attached" is written just before the newer console is counted: wait for both to settle.
        while ((displayOpen.get() != 1 || webapi.consoleCount() != 1) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(displayOpen.get()).isEqualTo(1);
        assertThat(webapi.consoleCount()).isEqualTo(1);
        second.ws.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        while ((displayOpen.get() != 0 || webapi.consoleCount() != 0) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(webapi.consoleCount()).isZero();
    }

    private static String hello(String key, String system) {
        return Json.object().put("credential", key).put("system", system).put("kind", "vnc").toString();
    }

    private record Console(WebSocket ws, BlockingQueue<JsonNode> texts, BlockingQueue<Buffer> binary, CompletableFuture<Short> closed) {
    }

    private Console open(String origin) throws Exception {
        WebSocketClient client = vertx.createWebSocketClient();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(http.getHost()).setPort(http.getPort()).setURI("/api/console");
        if (origin != null) {
            options.addHeader("Origin", origin);
        }
        BlockingQueue<JsonNode> texts = new LinkedBlockingQueue<>();
        BlockingQueue<Buffer> binary = new LinkedBlockingQueue<>();
        CompletableFuture<Short> closed = new CompletableFuture<>();
        CompletableFuture<WebSocket> connected = new CompletableFuture<>();
        // handlers set in the connect handler, on the connection's event loop before any later
        // event of it: set after a blocking connect, a message or close that came first is missed
        client.connect(options, r -> {
            if (r.failed()) {
                connected.completeExceptionally(r.cause());
                return;
            }
            WebSocket ws = r.result();
            ws.textMessageHandler(t -> texts.add(readTree(t)));
            ws.binaryMessageHandler(binary::add);
            ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
            connected.complete(ws);
        });
        return new Console(connected.get(10, TimeUnit.SECONDS), texts, binary, closed);
    }

    private static JsonNode readTree(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String hash(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
