package io.acp.cluster.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.origin.CertificateMeta;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.OriginCounters;
import io.acp.cluster.sync.origin.Refusal;
import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.model.Entry;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.security.PkiFiles;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import io.acp.testing.TestPki;
import java.io.DataOutputStream;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge as a trust boundary for origin (issue 13): the remote side is a real node of cluster
 * b (b1's certificate, so the TLS handshake succeeds) speaking the real bridge protocol to a1's
 * bridge, and trying to pass entries off as written by another node of its own cluster, by a member
 * of cluster a, or under a certificate cluster b's CA never issued. Each is refused by its rule,
 * counted, and changes nothing; an entry b1 relays with its true author's (b2's) seal is taken and
 * reaches every node of a.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BridgeOriginAttackTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private static ObjectEntry object(String id, String writer) {
        return new ObjectEntry(ObjectKey.of(ObjectType.SYSTEM, id), null, Json.object().put("disk", "/var/lib/acp/" + id + ".img"),
                new Version(System.currentTimeMillis() << 16, writer), false);
    }

    private static MetaEntry certificateOf(NodeSigner s) {
        return new MetaEntry(CertificateMeta.key(s.node(), s.keyId()), s.node(), CertificateMeta.values(s.certificate()),
                new Version(System.currentTimeMillis() << 16, s.node()));
    }

    /** One frame of the bridge protocol: length, then sealed groups. */
    private static void send(DataOutputStream out, List<SealedEntry> entries) throws Exception {
        List<byte[]> bodies = SealedCodec.pack(entries, 1 << 20, Integer.MAX_VALUE);
        for (byte[] body : bodies) {
            out.writeInt(body.length);
            out.write(body);
        }
        out.flush();
    }

    @Test
    void aRemoteBridgeCannotForgeItsOwnClustersAuthorsNorClaimALocalOne() throws Exception {
        try (InProcessCluster a = InProcessCluster.start(2, InProcessCluster.testSettings("site-a", "secret of cluster a 0123456789"), "a", 1);
             InProcessCluster b = InProcessCluster.start(2, InProcessCluster.testSettings("site-b", "secret of cluster b 9876543210"), "b", 2)) {
            a.awaitConverged(WAIT); // a1 knows a2's certificate: a2 is a member of cluster a
            InProcessCluster.Node a1 = a.node(1);
            BridgeSettings settings = new BridgeSettings("127.0.0.1", 0, java.util.Optional.empty(), PkiFiles.in(b.node(1).dataDir).caCertificate(),
                    Duration.ofMillis(50), Duration.ofMillis(400), 1 << 20, new BridgeSettings.Writable(List.of("system/*")));
            ClusterBridge bridge = new ClusterBridge(a1.cdb(), settings, a1.id, a1.dataDir);
            a1.sync().relayBridgedEntries();
            bridge.useSeals(a1.sync()::sealed);
            bridge.start().await().atMost(WAIT);
            NodeSigner b1 = TestPki.signer(b.ca(), b.node(1).dataDir, "b1");
            NodeSigner b2 = TestPki.signer(b.ca(), b.node(2).dataDir, "b2");
            NodeSigner a2ByB = TestPki.signer(b.ca(), dir.resolve("a2-by-b"), "a2"); // cluster b's CA names a member of a
            NodeSigner b9Elsewhere = TestPki.signer(TestPki.newCluster(dir.resolve("other-ca"), "other"), dir.resolve("b9"), "b9");

            SSLSocket socket = (SSLSocket) BridgeTls.context(PkiFiles.in(b.node(1).dataDir), PkiFiles.in(a1.dataDir).caCertificate(), "b1")
                    .getSocketFactory().createSocket("127.0.0.1", bridge.address().getPort());
            try (socket) {
                socket.setEnabledProtocols(BridgeTls.PROTOCOLS);
                socket.startHandshake();
                Thread drain = new Thread(() -> {
                    try (InputStream in = socket.getInputStream()) {
                        in.transferTo(java.io.OutputStream.nullOutputStream()); // a1's full state and keepalives
                    } catch (Exception closed) {
                        // the test is over
                    }
                });
                drain.setDaemon(true);
                drain.start();
                DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                OriginCounters refused = bridge.refusals();

                send(out, b1.seal(List.of(certificateOf(b1))));
                send(out, b2.seal(List.of(certificateOf(b2))));
                // b1 claims b2 wrote an object, sealing it with its own key
                ObjectEntry forgedB2 = object("forged-by-b1", "b2");
                SealedEntry byB1 = b1.seal(List.of(object("forged-by-b1", "b1"))).get(0);
                send(out, List.of(new SealedEntry(forgedB2, EntryCodec.encode(forgedB2), byB1.seal())));
                // b1's own object, changed after it sealed it
                SealedEntry own = b1.seal(List.of(object("changed", "b1"))).get(0);
                ObjectEntry changed = new ObjectEntry(own.entry().key(), null, Json.object().put("disk", "/etc/shadow"), own.entry().version(), false);
                send(out, List.of(new SealedEntry(changed, EntryCodec.encode(changed), own.seal())));
                // a certificate from b's CA for "a2", a member of a, and an object a2 supposedly wrote
                send(out, a2ByB.seal(List.of(certificateOf(a2ByB), object("a2-claims", "a2"))));
                // a node certified by some other CA
                send(out, b9Elsewhere.seal(List.of(certificateOf(b9Elsewhere), object("from-elsewhere", "b9"))));
                // and, last, what b2 really wrote, relayed by b1 under b2's own seal
                ObjectEntry genuine = object("written-by-b2", "b2");
                send(out, b2.seal(List.of(genuine)));

                for (InProcessCluster.Node n : a.nodes()) {
                    Eventually.await(WAIT, () -> n.cdb().object(genuine.key()).map(o -> o.version().equals(genuine.version())).orElse(false),
                            () -> n.id + " takes b2's object relayed under b2's seal; refusals " + refused.snapshot());
                }
                assertThat(refused.count(Refusal.NOT_AUTHOR)).as(refused.snapshot().toString()).isEqualTo(1);
                assertThat(refused.count(Refusal.BAD_SIGNATURE)).isEqualTo(1);
                assertThat(refused.count(Refusal.BAD_CERTIFICATE)).isEqualTo(1);
                assertThat(refused.count(Refusal.UNKNOWN_AUTHOR)).isEqualTo(1);
                assertThat(bridge.counters().localAuthorRefusals()).isEqualTo(1);
                assertThat(bridge.stats()).containsEntry("bridge.refused.not-author", 1L).containsEntry("bridge.refused.bad-signature", 1L);
                for (InProcessCluster.Node n : a.nodes()) {
                    for (String id : List.of("forged-by-b1", "a2-claims", "from-elsewhere")) {
                        assertThat(n.cdb().object(ObjectKey.of(ObjectType.SYSTEM, id))).as("%s on %s", id, n.id).isEmpty();
                    }
                    assertThat(n.cdb().object(changed.key())).as("the changed object on %s", n.id).isEmpty();
                    List<Entry> remoteCertificates = new ArrayList<>();
                    for (ObjectKey k : n.cdb().reportedKeys(ObjectType.SERVICE)) {
                        n.cdb().meta(k, null).stream().filter(m -> !m.node().startsWith("a")).forEach(remoteCertificates::add);
                    }
                    assertThat(remoteCertificates).as("remote certificates are never merged on %s", n.id).isEmpty();
                }
            } finally {
                bridge.stop().await().atMost(WAIT);
            }
        }
    }
}
