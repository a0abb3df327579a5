package io.acp.webapi;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The consoles' WebSocket at {@code /api/console}, beside the request WebSocket: one console per
 * connection, raw bytes in binary messages after a first text message that authenticates and names
 * the console ({@link ConsoleSession}). A plain Vert.x WebSocket rather than a WebSockets Next
 * endpoint, because the relay needs to pause reading it (backpressure). The upgrade is refused
 * like the other WebSocket's: 503 while the WebAPI does not run, 403 for a page of another origin.
 */
@ApplicationScoped
public class ConsoleSocket {

    static final String PATH = "/api/console";

    private final WebApiService service;

    @Inject
    public ConsoleSocket(WebApiService service) {
        this.service = service;
    }

    void install(@Observes Router router) {
        router.get(PATH).handler(this::upgrade);
    }

    private void upgrade(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        if (!service.running()) {
            rc.response().setStatusCode(503).end("the WebAPI is not running");
            return;
        }
        // As UpgradeGate: compared with where the connection really arrived, never with the Host header.
        if (!service.originPermitted(request.getHeader("Origin"), request.localAddress().hostAddress(), request.localAddress().port())) {
            rc.response().setStatusCode(403).end("origin not allowed");
            return;
        }
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            rc.response().setStatusCode(400).end("a console is a WebSocket: open " + PATH + " with an upgrade");
            return;
        }
        String remote = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
        request.toWebSocket().onSuccess(ws -> service.consoles().opened(ws, remote));
    }
}
