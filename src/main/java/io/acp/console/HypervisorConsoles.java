package io.acp.console;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.hypervisor.Systems;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The consoles libvirt gave this node's running systems ({@code hypervisor.console-info}): the VNC
 * display on the node's loopback, the serial port's pty. A display that listens anywhere but
 * loopback is refused: the relay is the only way in, and it checks the caller.
 */
public final class HypervisorConsoles implements ConsoleEndpoints {

    private final Supplier<Systems> systems;
    private final Vertx vertx;
    private final String localNode;
    private volatile NetClient client;

    public HypervisorConsoles(Supplier<Systems> systems, Vertx vertx, String localNode) {
        this.systems = systems;
        this.vertx = vertx;
        this.localNode = localNode;
    }

    @Override
    public Uni<ByteEnd> open(String id, ConsoleKind kind) {
        return Uni.createFrom().deferred(() -> systems.get().consoleInfo(id))
                .chain(info -> open(id, kind, info.path("consoles")));
    }

    private Uni<ByteEnd> open(String id, ConsoleKind kind, JsonNode consoles) {
        for (JsonNode c : consoles) {
            if (kind == ConsoleKind.VNC && "graphics".equals(c.path("kind").asText()) && "vnc".equals(c.path("type").asText())) {
                String host = c.path("host").asText("");
                int port = c.path("port").asInt(-1);
                if (!host.equals("127.0.0.1") && !host.equals("::1") && !host.equals("localhost")) {
                    return Uni.createFrom().failure(new AcpException(ErrorCode.CONFLICT, "rule vnc-loopback: the VNC display of system " + id
                            + " on node " + localNode + " listens on '" + host + "', not on loopback; ACP relays only loopback displays"));
                }
                if (port <= 0) {
                    return Uni.createFrom().failure(new AcpException(ErrorCode.CONFLICT, "the VNC display of system " + id + " on node "
                            + localNode + " has no port yet (qemu is still starting); try again"));
                }
                return connect(host, port);
            }
            if (kind == ConsoleKind.SERIAL && "serial".equals(c.path("kind").asText()) && c.path("path").isTextual()
                    && c.path("path").asText().startsWith("/dev/pts/")) {
                return PtyEnd.open(vertx, Path.of(c.path("path").asText()));
            }
        }
        return Uni.createFrom().failure(AcpException.notFound(kind.wireName() + " console of system " + id + " on node " + localNode));
    }

    /**
     * A TCP connection to a loopback display, paused until the relay reads it (the display speaks
     * first). Paused in the connect handler, which Vert.x registers before it starts connecting and
     * so calls on the connection's event loop before its first read: a mapping of the returned
     * future was added after the connect started, and when the calling thread lost the CPU for a
     * moment the connection completed first, read the display's greeting with no handler and dropped
     * it (the browser's console then waited for a greeting that never came).
     */
    public Uni<ByteEnd> connect(String host, int port) {
        NetClient c = client();
        return Uni.createFrom().emitter(e -> c.connect(port, host, connected -> {
            if (connected.succeeded()) {
                connected.result().pause();
                e.complete(new NetSocketEnd(connected.result(), Buffer.buffer()));
            } else {
                e.fail(connected.cause());
            }
        }));
    }

    private NetClient client() {
        NetClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5000));
                }
                c = client;
            }
        }
        return c;
    }
}
