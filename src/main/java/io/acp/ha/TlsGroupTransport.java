package io.acp.ha;

import io.acp.security.NodeCertificates;
import io.acp.security.PkiFiles;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.acp.security.NodeKeyManager;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.parsetools.RecordParser;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.jboss.logging.Logger;

/**
 * The ownership group over mutual TLS 1.3 between node certificates of the cluster CA: each member
 * listens on its ownership port and dials the others for its own sends. Frames are a 4-byte length
 * and a {@link GroupCodec} body. A connection is accepted only from a member of the group (by the
 * node id in its certificate), and a message only if its sender is that same member; a dialled
 * server must present the certificate of the member it was dialled as. Sends never block: while a
 * connection is being made, or its write queue is full, the message is dropped (Raft retries).
 */
final class TlsGroupTransport implements GroupTransport {

    private static final Logger LOG = Logger.getLogger(TlsGroupTransport.class);
    private static final Set<String> PROTOCOLS = Set.of("TLSv1.3");

    private final Vertx vertx;
    private final Member self;
    private final Map<String, SocketAddress> peers;
    private final BiConsumer<Member, Object> receiver;
    private final NetServer server;
    private final NetClient client;
    private final Map<String, NetSocket> out = new ConcurrentHashMap<>();
    private final Set<String> dialling = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param peers    every other member → its ownership address
     * @param receiver gets each authenticated message with the member it came from (on an event loop: must not block)
     */
    TlsGroupTransport(Vertx vertx, Member self, Map<String, SocketAddress> peers, PkiFiles pki, BiConsumer<Member, Object> receiver) {
        this.vertx = vertx;
        this.self = self;
        this.peers = Map.copyOf(peers);
        this.receiver = receiver;
        KeyCertOptions keyCert = KeyCertOptions.wrap(NodeKeyManager.read(pki)); // no PKCS12 round trip (NodeKeyManager says why)
        PemTrustOptions trust = new PemTrustOptions().addCertPath(pki.caCertificate().toString());
        this.server = vertx.createNetServer(new NetServerOptions()
                .setSsl(true)
                .setClientAuth(ClientAuth.REQUIRED)
                .setKeyCertOptions(keyCert)
                .setTrustOptions(trust)
                .setEnabledSecureTransportProtocols(PROTOCOLS)
                .setTcpNoDelay(true)
                .setSslHandshakeTimeout(5));
        NetClientOptions co = new NetClientOptions()
                .setSsl(true)
                .setKeyCertOptions(keyCert)
                .setTrustOptions(trust)
                .setEnabledSecureTransportProtocols(PROTOCOLS)
                .setTcpNoDelay(true)
                .setConnectTimeout(2_000);
        // Members are named by node id in their certificates, checked after the handshake.
        co.setHostnameVerificationAlgorithm("");
        this.client = vertx.createNetClient(co);
    }

    /** Listens on {@code address}; completes with the bound port. */
    Future<Integer> listen(SocketAddress address) {
        return server.connectHandler(this::accepted)
                .listen(address)
                .map(NetServer::actualPort);
    }

    @Override
    public void send(Member to, Object message) {
        if (closed) {
            return;
        }
        NetSocket socket = out.get(to.id());
        if (socket == null) {
            dial(to);
            return;
        }
        if (socket.writeQueueFull()) {
            return;
        }
        byte[] body = GroupCodec.encode(message);
        socket.write(Buffer.buffer(4 + body.length).appendInt(body.length).appendBytes(body));
    }

    Future<Void> close() {
        closed = true;
        out.values().forEach(NetSocket::close);
        return client.close().compose(v -> server.close());
    }

    private void dial(Member to) {
        SocketAddress address = peers.get(to.id());
        if (address == null || !dialling.add(to.id())) {
            return;
        }
        client.connect(address)
                .onSuccess(socket -> connected(to, address, socket))
                .onFailure(e -> {
                    dialling.remove(to.id());
                    LOG.debugf("ownership member %s cannot reach member %s at %s: %s", self.id(), to.id(), address, e.getMessage());
                });
    }

    private void connected(Member to, SocketAddress address, NetSocket socket) {
        dialling.remove(to.id());
        try {
            NodeCertificates.requireNode(peerCertificate(socket), to.id(), "ownership member " + to.id() + " at " + address);
        } catch (RuntimeException e) {
            LOG.warnf("ownership member %s refused to talk to %s: %s", self.id(), address, e.getMessage());
            socket.close();
            return;
        }
        socket.closeHandler(v -> out.remove(to.id(), socket));
        socket.exceptionHandler(e -> socket.close());
        // Answers come over the peer's own connection; anything sent back here is ignored.
        socket.handler(b -> {
        });
        if (closed) {
            socket.close();
            return;
        }
        out.put(to.id(), socket);
    }

    private void accepted(NetSocket socket) {
        String peer;
        try {
            peer = NodeCertificates.nodeId(peerCertificate(socket));
        } catch (RuntimeException e) {
            peer = null;
        }
        if (peer == null || !peers.containsKey(peer)) {
            LOG.warnf("ownership member %s refused a connection from %s: %s", self.id(), socket.remoteAddress(),
                    peer == null ? "no node certificate" : "node " + peer + " is not a member of the ownership group");
            socket.close();
            return;
        }
        Member from = new Member(peer);
        RecordParser parser = RecordParser.newFixed(4);
        int[] expecting = {-1};
        parser.handler(b -> {
            if (expecting[0] < 0) {
                int length = b.getInt(0);
                if (length <= 0 || length > GroupCodec.MAX_FRAME) {
                    LOG.warnf("ownership member %s closed the connection of member %s: frame length %d (1..%d)", self.id(), from.id(),
                            length, GroupCodec.MAX_FRAME);
                    socket.close();
                    return;
                }
                expecting[0] = length;
                parser.fixedSizeMode(length);
            } else {
                expecting[0] = -1;
                parser.fixedSizeMode(4);
                deliver(from, b.getBytes(), socket);
            }
        });
        socket.handler(parser);
        socket.exceptionHandler(e -> socket.close());
    }

    private void deliver(Member from, byte[] frame, NetSocket socket) {
        Object message;
        try {
            message = GroupCodec.decode(frame);
        } catch (GroupCodec.BadFrame e) {
            LOG.warnf("ownership member %s closed the connection of member %s: %s", self.id(), from.id(), e.getMessage());
            socket.close();
            return;
        }
        String claimed = claimedSender(message);
        if (!from.id().equals(claimed)) {
            LOG.warnf("ownership member %s dropped a message from member %s that claims to come from %s", self.id(), from.id(), claimed);
            return;
        }
        receiver.accept(from, message);
    }

    private static String claimedSender(Object message) {
        if (message instanceof io.microraft.model.message.RaftMessage m) {
            return String.valueOf(m.getSender().getId());
        }
        if (message instanceof GroupMessage.Forward f) {
            return f.from();
        }
        return ((GroupMessage.Reply) message).from();
    }

    private static X509Certificate peerCertificate(NetSocket socket) {
        try {
            return (X509Certificate) socket.peerCertificates().get(0);
        } catch (Exception e) {
            throw new IllegalStateException("no peer certificate: " + e.getMessage(), e);
        }
    }
}
