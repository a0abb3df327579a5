package io.acp.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.security.PkiFiles;
import io.acp.testing.Eventually;
import io.acp.testing.TestPki;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attacks on a member's ownership port over real TLS: a node of the cluster that is not a member,
 * a member that claims to be another, a client without a certificate, a frame length far too big.
 * Each is refused, and the member received nothing; a member speaking as itself gets through.
 */
class GroupTransportSecurityTest {

    @TempDir
    Path dir;
    private final Vertx vertx = Vertx.vertx();
    private final List<Object> received = new CopyOnWriteArrayList<>();
    private PkiFiles ca;
    private TlsGroupTransport n1;
    private int port;

    @BeforeEach
    void start() throws Exception {
        ca = TestPki.newCluster(dir.resolve("ca"), "ha");
        for (String n : List.of("n1", "n2", "n9")) {
            TestPki.provision(ca, dir.resolve(n), n);
        }
        n1 = new TlsGroupTransport(vertx, new Member("n1"), Map.of("n2", SocketAddress.inetSocketAddress(1, "127.0.0.1")),
                PkiFiles.in(dir.resolve("n1")), (from, message) -> received.add(message));
        port = n1.listen(SocketAddress.inetSocketAddress(0, "127.0.0.1")).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        n1.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private NetSocket connect(String node) throws Exception {
        NetClientOptions o = new NetClientOptions().setSsl(true).setHostnameVerificationAlgorithm("")
                .setTrustOptions(new PemTrustOptions().addCertPath(PkiFiles.in(dir.resolve("n1")).caCertificate().toString()));
        if (node != null) {
            PkiFiles files = PkiFiles.in(dir.resolve(node));
            o.setKeyCertOptions(new PemKeyCertOptions().setKeyPath(files.nodeKey().toString()).setCertPath(files.nodeCertificate().toString()));
        }
        // The close handler is set in the connect handler, which Vert.x calls on the connection's
        // event loop before any later event of it. Set once connect() had returned, it missed a
        // close that came first (n1 refusing a client without a certificate, on a loaded machine).
        java.util.concurrent.CompletableFuture<NetSocket> connected = new java.util.concurrent.CompletableFuture<>();
        vertx.createNetClient(o).connect(port, "127.0.0.1", r -> {
            if (r.succeeded()) {
                AtomicBoolean closed = new AtomicBoolean();
                r.result().closeHandler(v -> closed.set(true));
                closedFlags.put(r.result(), closed);
                connected.complete(r.result());
            } else {
                connected.completeExceptionally(r.cause());
            }
        });
        // Generous: TLS set-up on a loaded 2-core machine can take seconds.
        return connected.get(20, TimeUnit.SECONDS);
    }

    private final java.util.Map<NetSocket, AtomicBoolean> closedFlags = new java.util.concurrent.ConcurrentHashMap<>();

    private static Buffer frame(Object message) {
        byte[] body = GroupCodec.encode(message);
        return Buffer.buffer().appendInt(body.length).appendBytes(body);
    }

    /** Whether n1 has closed {@code s} (watched from its connect on). */
    private AtomicBoolean closed(NetSocket s) {
        return closedFlags.get(s);
    }

    private static final LeaseOp TAKE = new LeaseOp.Take("web", "n2", 1L);

    @Test
    void aClusterNodeThatIsNotAMemberIsCutAndNothingArrives() throws Exception {
        NetSocket s = connect("n9");
        AtomicBoolean closed = closed(s);
        s.write(frame(new GroupMessage.Forward(1, "n9", TAKE)));
        Eventually.await(Duration.ofSeconds(5), closed::get, "n1 closes the connection of non-member n9");
        assertThat(received).isEmpty();
    }

    @Test
    void aMemberClaimingToBeAnotherIsIgnoredAndSpeakingAsItselfGetsThrough() throws Exception {
        NetSocket s = connect("n2");
        s.write(frame(new GroupMessage.Forward(1, "n3", TAKE)));
        s.write(frame(new GroupMessage.Forward(2, "n2", TAKE)));
        Eventually.await(Duration.ofSeconds(5), () -> !received.isEmpty(), "n2's own forward arrives");
        assertThat(received).containsExactly(new GroupMessage.Forward(2, "n2", TAKE));
    }

    @Test
    void aClientWithoutACertificateNeverGetsAFrameIn() throws Exception {
        AtomicBoolean refused = new AtomicBoolean();
        try {
            NetSocket s = connect(null);
            AtomicBoolean closed = closed(s);
            s.write(frame(new GroupMessage.Forward(1, "n2", TAKE)));
            Eventually.await(Duration.ofSeconds(5), closed::get, "n1 closes a connection without a client certificate");
            refused.set(true);
        } catch (java.util.concurrent.ExecutionException e) {
            refused.set(true);
        }
        assertThat(refused).isTrue();
        assertThat(received).isEmpty();
    }

    @Test
    void aHugeFrameLengthClosesTheConnection() throws Exception {
        NetSocket s = connect("n2");
        AtomicBoolean closed = closed(s);
        s.write(Buffer.buffer().appendInt(Integer.MAX_VALUE).appendBytes(new byte[64]));
        Eventually.await(Duration.ofSeconds(5), closed::get, "n1 closes a connection announcing a 2 GiB frame");
        assertThat(received).isEmpty();
    }

    @Test
    void anUnknownMessageTypeClosesTheConnection() throws Exception {
        NetSocket s = connect("n2");
        AtomicBoolean closed = closed(s);
        s.write(Buffer.buffer().appendInt(3).appendBytes(new byte[] {(byte) 0xEE, 1, 2}));
        Eventually.await(Duration.ofSeconds(5), closed::get, "n1 closes a connection sending an unknown message type");
        assertThat(received).isEmpty();
    }
}
