package io.acp.webapi;

import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.common.annotation.NonBlocking;
import jakarta.inject.Inject;

/**
 * The WebSocket at {@code /api/ws}: one request envelope per text message. Callbacks run on the
 * connection's event loop ({@code @NonBlocking}); the work is the session's ({@link WebSession}).
 */
@WebSocket(path = WebApiService.PATH)
public class WebApiEndpoint {

    private final WebApiService service;

    @Inject
    public WebApiEndpoint(WebApiService service) {
        this.service = service;
    }

    @OnOpen
    @NonBlocking
    public void open(WebSocketConnection connection) {
        service.opened(connection);
    }

    @OnTextMessage
    @NonBlocking
    public void message(String text, WebSocketConnection connection) {
        service.message(connection, text);
    }

    /**
     * Vert.x refuses a message over quarkus.websockets-next.server.max-message-size (mapped from
     * acp.webapi.max-message-bytes) with an IllegalStateException before any callback sees it.
     */
    @OnError
    @NonBlocking
    public void error(Throwable failure, WebSocketConnection connection) {
        service.failed(connection, failure);
    }

    @OnClose
    @NonBlocking
    public void close(WebSocketConnection connection) {
        service.closed(connection);
    }
}
