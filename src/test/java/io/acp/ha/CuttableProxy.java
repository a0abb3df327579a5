package io.acp.ha;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback between one member and another's ownership port, that a test can cut
 * (every connection closed, new ones refused) and mend: a network partition for real sockets
 * without namespaces. TLS passes through it untouched.
 */
final class CuttableProxy {

    private final NetServer server;
    private final NetClient client;
    private final SocketAddress target;
    private final Set<NetSocket> open = ConcurrentHashMap.newKeySet();
    private volatile boolean cut;

    CuttableProxy(Vertx vertx, SocketAddress target) {
        this.server = vertx.createNetServer();
        this.client = vertx.createNetClient();
        this.target = target;
    }

    int listen() throws Exception {
        return server.connectHandler(this::relay)
                .listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get()
                .actualPort();
    }

    private void relay(NetSocket in) {
        if (cut) {
            in.close();
            return;
        }
        in.pause();
        client.connect(target).onComplete(ar -> {
            if (ar.failed() || cut) {
                in.close();
                return;
            }
            NetSocket out = ar.result();
            open.add(in);
            open.add(out);
            in.handler(out::write);
            out.handler(in::write);
            in.closeHandler(v -> out.close());
            out.closeHandler(v -> in.close());
            in.resume();
        });
    }

    void cut() {
        cut = true;
        open.forEach(NetSocket::close);
        open.clear();
    }

    void mend() {
        cut = false;
    }

    void close() {
        cut();
        client.close();
        server.close();
    }
}
