package io.acp.webapi;

import io.acp.console.ByteEnd;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.function.Consumer;

/** The browser's console WebSocket as a relay end: binary messages both ways (RFB for noVNC, terminal bytes for xterm.js). */
final class WebSocketEnd implements ByteEnd {

    private final ServerWebSocket ws;

    WebSocketEnd(ServerWebSocket ws) {
        this.ws = ws;
    }

    @Override
    public void handler(Consumer<Buffer> chunks) {
        ws.binaryMessageHandler(chunks::accept);
        ws.resume();
    }

    @Override
    public void pause() {
        ws.pause();
    }

    @Override
    public void resume() {
        ws.resume();
    }

    @Override
    public void write(Buffer chunk) {
        ws.writeBinaryMessage(chunk);
    }

    @Override
    public boolean writeQueueFull() {
        return ws.writeQueueFull();
    }

    @Override
    public void drainHandler(Runnable drained) {
        ws.drainHandler(v -> drained.run());
    }

    @Override
    public void closeHandler(Runnable closed) {
        ws.closeHandler(v -> closed.run());
        ws.exceptionHandler(e -> closed.run());
    }

    @Override
    public void close() {
        if (!ws.isClosed()) {
            ws.close((short) 1000, "console closed");
        }
    }
}
