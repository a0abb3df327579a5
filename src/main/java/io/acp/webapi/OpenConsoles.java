package io.acp.webapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.ApiIdentity;
import io.acp.console.ConsoleKind;
import io.acp.console.ConsoleRelay;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The consoles this node's WebAPI relays. A console WebSocket's first text message is
 * {@code {"credential": TOKEN-OR-KEY, "system": ID, "node": NODE, "kind": "vnc"|"serial"}}; the
 * node answers {@code {"attached": {...}}} and from then on binary messages carry the console's
 * bytes, or {@code {"error": {"code", "message"}}} and closes. Bounded: one console per (session,
 * system, kind), a newer one replacing the older (a reloaded page); at most
 * {@code acp.webapi.max-consoles} on the node; each closes after {@code acp.webapi.console-idle-timeout}
 * without a byte either way.
 */
final class OpenConsoles {

    private static final Logger LOG = Logger.getLogger(OpenConsoles.class);
    static final short CLOSE_POLICY = 1008;
    static final short CLOSE_ERROR = 1011;

    private final WebApiService service;
    private final Vertx vertx;
    private final Map<String, Entry> open = new ConcurrentHashMap<>();
    private final AtomicLong opens = new AtomicLong();

    /** An open console and when it was asked for (a later ask for the same slot wins). */
    private record Entry(long seq, ConsoleRelay relay) {
    }

    OpenConsoles(WebApiService service, Vertx vertx) {
        this.service = service;
        this.vertx = vertx;
    }

    void opened(ServerWebSocket ws, String remote) {
        ws.pause();
        long timer = vertx.setTimer(Math.max(1, service.config().authTimeout().toMillis()), t -> {
            if (!ws.isClosed()) {
                ws.close(CLOSE_POLICY, "not authenticated within " + service.config().authTimeout().toSeconds() + " s");
            }
        });
        boolean[] first = {true};
        ws.textMessageHandler(text -> {
            if (!first[0]) {
                return; // after the first message, only binary messages carry the console
            }
            first[0] = false;
            vertx.cancelTimer(timer);
            ws.pause();
            attach(ws, text, remote);
        });
        ws.resume();
    }

    private void attach(ServerWebSocket ws, String text, String remote) {
        String system;
        String node;
        ConsoleKind kind;
        ApiIdentity who;
        String credential;
        try {
            JsonNode hello = Json.MAPPER.readTree(text);
            credential = hello.path("credential").asText("");
            system = hello.path("system").asText("");
            node = hello.path("node").isTextual() && !hello.path("node").asText().isEmpty() ? hello.path("node").asText() : service.localNode();
            kind = ConsoleKind.parse(hello.path("kind").asText(""));
            if (system.isEmpty()) {
                throw new AcpException(ErrorCode.BAD_REQUEST, "a console's first message names its 'system'");
            }
            who = service.authenticate(credential, remote).identity();
        } catch (AcpException e) {
            refuse(ws, e.code(), e.getMessage());
            return;
        } catch (IllegalArgumentException | java.io.IOException e) {
            refuse(ws, ErrorCode.BAD_REQUEST, "the first message of a console is {\"credential\", \"system\", \"node\", \"kind\"}: " + e.getMessage());
            return;
        }
        String slot = digest(credential) + "/" + node + "/" + system + "/" + kind.wireName();
        long seq = opens.incrementAndGet();
        Entry older = open.remove(slot);
        if (older != null) {
            older.relay().close(); // the same session opens the same console again: the newer one wins
        }
        if (open.size() >= service.config().maxConsoles()) {
            refuse(ws, ErrorCode.UNAVAILABLE, "node " + service.localNode() + " relays " + open.size()
                    + " consoles, the most it relays at once (acp.webapi.max-consoles); close one and retry");
            return;
        }
        String what = kind.wireName() + " console of system " + system + " on node " + node;
        service.api().openConsole(node, system, kind, who, service.config().consoleIdleTimeout()).subscribe().with(upstream -> {
            if (ws.isClosed()) {
                upstream.close();
                return;
            }
            // "attached" first: the relay's first bytes (a display's greeting) must come after it.
            ObjectNode attached = Json.object().put("system", system).put("node", node).put("kind", kind.wireName());
            ws.writeTextMessage(Json.object().set("attached", attached).toString());
            Entry[] self = new Entry[1];
            ConsoleRelay relay = ConsoleRelay.join(vertx, new WebSocketEnd(ws), upstream, service.config().consoleIdleTimeout(),
                    () -> {
                        if (self[0] != null) {
                            open.remove(slot, self[0]); // never a newer console of the same slot
                        }
                        LOG.debugf("%s closed for key '%s'", what, who.name());
                    });
            Entry mine = new Entry(seq, relay);
            self[0] = mine;
            // Two opens of one slot may finish in either order: the one asked for last stays.
            Entry[] loser = new Entry[1];
            open.compute(slot, (k, current) -> {
                if (current == null || current.seq() < seq) {
                    loser[0] = current;
                    return mine;
                }
                loser[0] = mine;
                return current;
            });
            if (loser[0] != null) {
                loser[0].relay().close();
            }
            if (relay.closed()) {
                open.remove(slot, mine); // it ended while starting (the browser left at once)
            }
            LOG.infof("%s opened for key '%s' (%s) from %s", what, who.name(), who.role().wireName(), remote);
        }, failure -> {
            AcpException e = failure instanceof AcpException a ? a : new AcpException(ErrorCode.INTERNAL, failure.toString());
            refuse(ws, e.code(), e.getMessage());
        });
    }

    private void refuse(ServerWebSocket ws, ErrorCode code, String message) {
        if (ws.isClosed()) {
            return;
        }
        ObjectNode error = Json.object().put("code", code.wireName()).put("message", message);
        ws.writeTextMessage(Json.object().set("error", error).toString());
        short status = code == ErrorCode.FORBIDDEN || code == ErrorCode.UNAUTHORIZED ? CLOSE_POLICY : CLOSE_ERROR;
        ws.close(status, code.wireName());
    }

    /** Open consoles (for tests and health). */
    int count() {
        return open.size();
    }

    void closeAll() {
        for (Entry e : List.copyOf(open.values())) {
            e.relay().close();
        }
    }

    private static String digest(String credential) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(credential.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
