package io.acp.console;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.function.Consumer;

/** A TCP (or TLS) socket as a relay end: a VNC display on loopback, or a connection to another node's agent. */
public class NetSocketEnd implements ByteEnd {

    private final NetSocket socket;
    private final Buffer alreadyRead;

    /** @param alreadyRead bytes read from the socket before the relay (after an agent's answer frame); empty if none */
    public NetSocketEnd(NetSocket socket, Buffer alreadyRead) {
        this.socket = socket;
        this.alreadyRead = alreadyRead;
    }

    @Override
    public void handler(Consumer<Buffer> chunks) {
        socket.handler(chunks::accept);
        socket.resume();
    }

    @Override
    public void pause() {
        socket.pause();
    }

    @Override
    public void resume() {
        socket.resume();
    }

    @Override
    public void write(Buffer chunk) {
        socket.write(chunk);
    }

    @Override
    public boolean writeQueueFull() {
        return socket.writeQueueFull();
    }

    @Override
    public void drainHandler(Runnable drained) {
        socket.drainHandler(v -> drained.run());
    }

    @Override
    public void closeHandler(Runnable closed) {
        socket.closeHandler(v -> closed.run());
        socket.exceptionHandler(e -> socket.close());
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public Buffer alreadyRead() {
        return alreadyRead;
    }
}
