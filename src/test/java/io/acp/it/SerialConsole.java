package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A guest's serial console through ACP's own console path, as the web UI's xterm.js opens it: the
 * node's WebAPI WebSocket {@code /api/console}, a first text message with an API key, the system
 * and kind {@code serial}, then the serial port's bytes both ways (binary messages). Everything the
 * guest wrote is kept, so a test waits for a line and runs shell commands on a root prompt.
 */
final class SerialConsole implements AutoCloseable {

    private final WebSocket ws;
    private final StringBuilder seen = new StringBuilder();
    private final CompletableFuture<JsonNode> attached = new CompletableFuture<>();
    private final AtomicInteger commands = new AtomicInteger(1000);
    private volatile boolean closed;

    private SerialConsole(int httpPort, String key, String system, String node) throws Exception {
        ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create("ws://127.0.0.1:" + httpPort + "/api/console"), new Listener()).get(20, TimeUnit.SECONDS);
        com.fasterxml.jackson.databind.node.ObjectNode hello = Json.object().put("credential", key).put("system", system).put("kind", "serial");
        if (node != null) {
            hello.put("node", node);
        }
        ws.sendText(hello.toString(), true).get(10, TimeUnit.SECONDS);
        JsonNode answer = attached.get(30, TimeUnit.SECONDS);
        assertThat(answer.path("attached").path("system").asText()).as("the console's answer: %s", answer).isEqualTo(system);
    }

    /** The serial console of {@code system} on the node serving the WebAPI on {@code httpPort}, opened with {@code key}. */
    static SerialConsole open(int httpPort, String key, String system) throws Exception {
        return new SerialConsole(httpPort, key, system, null);
    }

    /** The serial console of {@code system} on {@code node}, relayed by the node serving the WebAPI on {@code httpPort} (through node's agent). */
    static SerialConsole open(int httpPort, String key, String system, String node) throws Exception {
        return new SerialConsole(httpPort, key, system, node);
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                try {
                    attached.complete(Json.MAPPER.readTree(text.toString()));
                } catch (Exception e) {
                    attached.completeExceptionally(e);
                }
                text.setLength(0);
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            synchronized (seen) {
                seen.append(new String(b, StandardCharsets.ISO_8859_1));
                seen.notifyAll();
            }
            w.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket w, int status, String reason) {
            closed = true;
            attached.completeExceptionally(new IllegalStateException("console closed: " + status + " " + reason));
            synchronized (seen) {
                seen.notifyAll();
            }
            return null;
        }

        @Override
        public void onError(WebSocket w, Throwable error) {
            closed = true;
            attached.completeExceptionally(error);
            synchronized (seen) {
                seen.notifyAll();
            }
        }
    }

    /** Types {@code text} into the serial port. */
    void type(String text) throws Exception {
        ws.sendBinary(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true).get(10, TimeUnit.SECONDS);
    }

    /** Waits until the guest has written {@code text} at or after {@code from}: its offset, or -1 after {@code limit}. */
    int await(String text, int from, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (seen) {
            while (true) {
                int at = seen.indexOf(text, from);
                long left = deadline - System.nanoTime();
                if (at >= 0 || left <= 0 || closed) {
                    return at;
                }
                seen.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    int length() {
        synchronized (seen) {
            return seen.length();
        }
    }

    /**
     * Runs {@code command} in the root shell on the console and answers what it printed (its
     * output, without the echo of what was typed): the command is framed by two markers the shell
     * computes ({@code $((n+1))}), so the typed line never matches them.
     */
    String shell(String command, Duration limit) throws Exception {
        int n = commands.incrementAndGet();
        String begin = "acp-begin-" + (n + 1);
        String end = "acp-end-" + (n + 1);
        int from = length();
        type("echo acp-begin-$((" + n + "+1)); " + command + "; echo acp-end-$((" + n + "+1))\r");
        int b = await(begin + "\r\n", from, limit);
        assertThat(b).as("the shell started '%s' (console: %s)", command, tail()).isNotNegative();
        int e = await(end, b, limit);
        assertThat(e).as("the shell finished '%s' (console: %s)", command, tail()).isNotNegative();
        synchronized (seen) {
            return seen.substring(b + begin.length() + 2, e).replace("\r", "");
        }
    }

    /** The last 4000 characters the guest wrote, for failure messages. */
    String tail() {
        synchronized (seen) {
            return seen.substring(Math.max(0, seen.length() - 4000));
        }
    }

    @Override
    public void close() throws Exception {
        if (!closed) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        }
    }
}
