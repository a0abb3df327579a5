package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.membership.Peer;
import io.acp.cluster.sync.membership.PeerState;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.OriginCounters;
import io.acp.cluster.sync.origin.Refusal;
import io.acp.cluster.sync.wire.ClusterKeys;
import io.acp.cluster.sync.wire.DatagramOpener;
import io.acp.cluster.sync.wire.DatagramSealer;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.cluster.sync.wire.Opened;
import io.acp.cluster.sync.wire.SyncCounters;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Heartbeats and pulls are the sender's own (issue 13): someone holding the cluster secret, and so
 * able to read and write any datagram on the group, cannot make a dead node look alive, move a live
 * node's address, or pull in another node's name. Each attack goes through the real UDP interface
 * of real nodes on loopback multicast, is refused and counted by rule and sender, and changes
 * nothing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SyncControlForgeryTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    /** Reads the group with the cluster secret and writes datagrams in any node's name. */
    private static final class SecretHolder implements AutoCloseable {
        final ClusterKeys keys;
        final InProcessCluster cluster;
        final DatagramChannel listener;
        final DatagramChannel raw;
        final DatagramOpener opener;
        long sent;

        SecretHolder(InProcessCluster cluster) throws Exception {
            var s = cluster.settings();
            this.cluster = cluster;
            keys = new ClusterKeys(s.clusterId(), s.secret(), Optional.empty());
            opener = new DatagramOpener(keys, "mallory", new SyncCounters());
            listener = DatagramChannel.open(StandardProtocolFamily.INET);
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(new InetSocketAddress(s.group(), s.port()));
            listener.join(java.net.InetAddress.getByName(s.group()), NetworkInterface.getByName(s.multicastInterface()));
            raw = DatagramChannel.open();
            raw.bind(new InetSocketAddress("127.0.0.1", 0));
        }

        /** The bodies of the next {@code n} heartbeats {@code sender} multicasts, opened with the secret. */
        List<Opened> captureHeartbeats(String sender, int n) throws Exception {
            List<Opened> out = new ArrayList<>();
            ByteBuffer buf = ByteBuffer.allocate(65_536);
            while (out.size() < n) {
                buf.clear();
                listener.receive(buf);
                buf.flip();
                byte[] d = new byte[buf.remaining()];
                buf.get(d);
                Opened o = opener.open(d);
                if (o != null && o.header().sender().equals(sender) && o.header().type() == MessageType.HEARTBEAT) {
                    out.add(o);
                }
            }
            return out;
        }

        /** Sends {@code body} as {@code sender} in {@code epoch}, under sequences no real node has used. */
        void send(String sender, long epoch, MessageType type, byte[] body, InetSocketAddress to) throws Exception {
            // far past the sequences the real sender used in this epoch: the datagram itself is accepted
            // (which, as anyone with the secret can, also makes receivers drop the real sender's next
            // datagrams as replayed until its next epoch: the shared secret protects confidentiality only)
            DatagramSealer sealer = new DatagramSealer(keys, sender, epoch, (1L << 40) + 1000 * sent++, cluster.settings().maxDatagramBytes());
            for (byte[] d : sealer.seal(type, body)) {
                raw.send(ByteBuffer.wrap(d), to);
            }
        }

        @Override
        public void close() throws Exception {
            listener.close();
            raw.close();
        }
    }

    private static void awaitRefused(OriginCounters c, Refusal rule, long atLeast) {
        Eventually.await(WAIT, () -> c.count(rule) >= atLeast, () -> "refusals " + c.snapshot() + ", waiting for " + rule + " >= " + atLeast);
    }

    private static Peer peer(InProcessCluster.Node at, String node) {
        return at.sync().membership().stream().filter(p -> p.node().equals(node)).findFirst().orElseThrow();
    }

    @Test
    void replayedAndForgedHeartbeatsNeitherReviveADeadNodeNorMoveALiveOnesAddress() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3); SecretHolder mallory = new SecretHolder(cluster)) {
            InProcessCluster.Node n1 = cluster.node(1);
            cluster.awaitConverged(WAIT);
            Eventually.await(WAIT, () -> peer(n1, "n2").state() == PeerState.ALIVE && peer(n1, "n3").state() == PeerState.ALIVE, "n1 sees n2 and n3 alive");
            List<Opened> n3Heartbeats = mallory.captureHeartbeats("n3", 3);
            List<Opened> n2Heartbeats = mallory.captureHeartbeats("n2", 1);
            cluster.stop(3);
            Eventually.await(WAIT, () -> peer(n1, "n3").state() == PeerState.DEAD && peer(cluster.node(2), "n3").state() == PeerState.DEAD,
                    "n1 and n2 declare n3 dead");
            Peer deadN3 = peer(n1, "n3");
            InetSocketAddress n2Address = peer(n1, "n2").address();
            OriginCounters refused = n1.sync().refusals();
            long fromN3 = refused.fromSender("n3");
            long fromN2 = refused.fromSender("n2");
            long stale = refused.count(Refusal.STALE);
            long badSignature = refused.count(Refusal.BAD_SIGNATURE);
            InetSocketAddress group = new InetSocketAddress(cluster.settings().group(), cluster.settings().port());

            // n3's own heartbeats, recorded while it lived, re-sent under fresh sequences: its chain values are spent
            for (Opened o : n3Heartbeats) {
                mallory.send("n3", o.header().epoch(), MessageType.HEARTBEAT, o.body(), group);
            }
            awaitRefused(refused, Refusal.STALE, stale + 3);

            // a chain value n3 never revealed (the last of its segment): mallory cannot know it, so she makes one up
            byte[] madeUp = n3Heartbeats.get(2).body().clone();
            int indexAt = 12 + 8 + 4;
            ByteBuffer.wrap(madeUp).putShort(indexAt, (short) 1024);
            madeUp[indexAt + 2] ^= 0x55;
            mallory.send("n3", n3Heartbeats.get(2).header().epoch(), MessageType.HEARTBEAT, madeUp, group);
            awaitRefused(refused, Refusal.BAD_SIGNATURE, badSignature + 1);

            // a chain of her own for n3 in a later epoch, with n3's key id and a signature it never made
            byte[] ownChain = n3Heartbeats.get(0).body().clone();
            ByteBuffer.wrap(ownChain).putInt(12 + 8, 0); // segment 0, index 1, value and anchor her own
            ByteBuffer.wrap(ownChain).putShort(indexAt, (short) 1);
            byte[] value = new byte[16];
            System.arraycopy(value, 0, ownChain, indexAt + 2, 16);
            System.arraycopy(stepOf(value), 0, ownChain, indexAt + 2 + 16, 16);
            mallory.send("n3", n3Heartbeats.get(0).header().epoch() + 1, MessageType.HEARTBEAT, ownChain, group);
            awaitRefused(refused, Refusal.BAD_SIGNATURE, badSignature + 2);

            // n2's latest heartbeat, sent again from mallory's own socket (to move n2's address there)
            mallory.send("n2", n2Heartbeats.get(0).header().epoch(), MessageType.HEARTBEAT, n2Heartbeats.get(0).body(), n1.sync().address());
            awaitRefused(refused, Refusal.STALE, stale + 4);

            assertThat(refused.fromSender("n3") - fromN3).as(refused.snapshot().toString()).isEqualTo(5);
            assertThat(refused.fromSender("n2") - fromN2).isEqualTo(1);
            Peer n3Now = peer(n1, "n3");
            assertThat(n3Now.state()).isEqualTo(PeerState.DEAD);
            assertThat(n3Now.epoch()).isEqualTo(deadN3.epoch());
            assertThat(n3Now.lastHeardMillis()).isEqualTo(deadN3.lastHeardMillis());
            assertThat(n3Now.address()).isEqualTo(deadN3.address());
            assertThat(peer(n1, "n2").address()).isEqualTo(n2Address);
            assertThat(peer(cluster.node(2), "n3").state()).as("n2's view too").isEqualTo(PeerState.DEAD);
        }
    }

    @Test
    void aPullInAnotherNodesNameIsNotAnsweredAndPullsNothingBack() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(2); SecretHolder mallory = new SecretHolder(cluster)) {
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);
            n1.cdb().putMeta(io.acp.model.ObjectKey.of(io.acp.model.ObjectType.SYSTEM, "vm1"), io.acp.model.Json.object().put("a", 1));
            cluster.awaitConverged(WAIT);
            Map<String, Long> before = n1.sync().stats();
            OriginCounters refused = n1.sync().refusals();
            long fromN2 = refused.fromSender("n2");
            long badSignature = refused.count(Refusal.BAD_SIGNATURE);
            long n2Epoch = n2.sync().epoch();
            long n2KeyId = NodeSigner.keyId(java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(java.nio.file.Files.newInputStream(io.acp.security.PkiFiles.in(n2.dataDir).nodeCertificate()))
                    .getPublicKey());

            // all-zero buckets differ from n1's everywhere: answered, it would send n1's whole state to mallory
            byte[] buckets = new byte[StateIndex.BUCKETS * 8];
            ByteBuffer forged = ByteBuffer.allocate(buckets.length + 16 + 64).put(buckets).putLong(n2KeyId).putLong(System.currentTimeMillis());
            mallory.send("n2", n2Epoch, MessageType.PULL, forged.put(new byte[64]).array(), n1.sync().address());
            awaitRefused(refused, Refusal.BAD_SIGNATURE, badSignature + 1);
            // the old form: bucket hashes and nothing else
            mallory.send("n2", n2Epoch, MessageType.PULL, buckets, n1.sync().address());
            Eventually.await(WAIT, () -> refused.fromSender("n2") >= fromN2 + 2, () -> "second refusal: " + refused.snapshot());

            Map<String, Long> after = n1.sync().stats();
            assertThat(after.get("sync.pulls.served")).isEqualTo(before.get("sync.pulls.served"));
            assertThat(refused.fromSender("n2") - fromN2).isEqualTo(2);
            ByteBuffer nothing = ByteBuffer.allocate(2048);
            mallory.raw.configureBlocking(false);
            assertThat(mallory.raw.receive(nothing)).as("no answer reached mallory").isNull();
            assertThat(peer(n1, "n2").address()).isEqualTo(n2.sync().address());
        }
    }

    private static byte[] stepOf(byte[] value) throws Exception {
        java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
        d.update((byte) 2);
        d.update(value);
        return java.util.Arrays.copyOf(d.digest(), 16);
    }
}
