package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Readiness;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.cluster.sync.wire.ClusterKeys;
import io.acp.cluster.sync.wire.DatagramSealer;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.model.Entry;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import io.acp.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The far-future version attack through the real sync path: a holder of the cluster secret relays,
 * on loopback multicast, entries genuinely sealed by a member (n2's own node key: a member whose
 * clock is wrong, or that was compromised) whose versions are an hour (or {@code 7fffffffffffffff})
 * ahead. Origin authentication passes them; the clock bound refuses them, counts them by sender,
 * keeps the state, and the clocks do not move; the object can still be changed afterwards.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClockBoundSyncTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void aFarFutureVersionIsRefusedCountedBySenderAndMovesNoClock() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(2); DatagramChannel raw = rawSender()) {
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);
            // ready first: the forger will be heard as a peer, and a peer that never agrees keeps a syncing node syncing
            Eventually.await(WAIT, () -> n1.cdb().readiness() == Readiness.READY && n2.cdb().readiness() == Readiness.READY, "both nodes ready");
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "victim");
            ObjectEntry original = n1.cdb().putObject(key, null, Json.object().put("owner", "n1"), null).await().atMost(WAIT);
            Eventually.await(WAIT, () -> n2.cdb().entry(key).isPresent(), "n2 holds the object");
            cluster.awaitConverged(WAIT);
            int objects = n1.cdb().objectCount();

            long hourAhead = HybridClock.fromMillis(System.currentTimeMillis() + 3_600_000);
            ObjectEntry forged = new ObjectEntry(key, null, Json.object().put("owner", "attacker"), new Version(hourAhead, "n2"), false);
            ObjectEntry frozen = new ObjectEntry(ObjectKey.of(ObjectType.SYSTEM, "frozen"), null, Json.object(), new Version(Long.MAX_VALUE, "n2"), false);
            relaySealedByN2(raw, cluster, "x", List.of(forged, frozen));

            Eventually.await(WAIT, () -> n1.sync().refusedClockAhead("x") == 2 && n2.sync().refusedClockAhead("x") == 2,
                    () -> "refusals: n1 " + n1.sync().stats() + ", n2 " + n2.sync().stats());
            assertThat(n1.sync().stats()).containsEntry("sync.refused.clock-ahead.x", 2L).containsEntry("sync.refused.clock-ahead", 2L);
            for (InProcessCluster.Node n : cluster.nodes()) {
                assertThat(n.cdb().entry(key)).as("object on %s", n.id).contains(original);
                assertThat(n.cdb().entry(frozen.key())).as("forged object on %s", n.id).isEmpty();
                long now = n.cdb().clock().now();
                assertThat(HybridClock.physicalMillis(now)).as("clock of %s", n.id).isLessThan(System.currentTimeMillis() + 60_000);
            }
            // no object came in (the forger is heard as a peer, so membership meta changes; objects do not)
            assertThat(n1.cdb().objectCount()).isEqualTo(objects);
            assertThat(n2.cdb().objectCount()).isEqualTo(objects);

            // the object is not frozen: a later write wins everywhere
            ObjectEntry next = n2.cdb().putObject(key, null, Json.object().put("owner", "n2"), original.version()).await().atMost(WAIT);
            Eventually.await(WAIT, () -> n1.cdb().entry(key).equals(Optional.of(next)), "n1 holds n2's later write");
        }
    }

    @Test
    void aVersionWithinTheBoundIsTaken() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(2); DatagramChannel raw = rawSender()) {
            InProcessCluster.Node n1 = cluster.node(1);
            cluster.awaitConverged(WAIT);
            ObjectEntry ahead = new ObjectEntry(ObjectKey.of(ObjectType.SYSTEM, "near"), null, Json.object(),
                    new Version(HybridClock.fromMillis(System.currentTimeMillis() + 20_000), "n2"), false);
            relaySealedByN2(raw, cluster, "x", List.of(ahead));
            Eventually.await(WAIT, () -> n1.cdb().entry(ahead.key()).isPresent(), "n1 took the entry 20 s ahead");
            assertThat(n1.sync().refusedClockAhead("x")).isZero();
            // and the clock followed it, so a local write after it still wins
            assertThat(n1.cdb().putObject(ahead.key(), null, Json.object().put("v", 2), null).await().atMost(WAIT).version())
                    .isGreaterThan(ahead.version());
        }
    }

    /**
     * Entries sealed with n2's real node key, relayed as ENTRIES by {@code sender} (anyone with the
     * cluster secret can relay), to the group.
     */
    private static void relaySealedByN2(DatagramChannel raw, InProcessCluster cluster, String sender, List<Entry> entries) throws Exception {
        SyncSettings s = cluster.settings();
        DatagramSealer sealer = new DatagramSealer(new ClusterKeys(s.clusterId(), s.secret(), s.previousSecret()), sender,
                System.currentTimeMillis() / 1000, s.maxDatagramBytes());
        NodeSigner n2Key = TestPki.signer(cluster.ca(), cluster.node(2).dataDir, "n2");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        n2Key.seal(entries).forEach(e -> body.writeBytes(SealedCodec.encode(e)));
        InetSocketAddress group = new InetSocketAddress(s.group(), s.port());
        for (byte[] datagram : sealer.seal(MessageType.ENTRIES, AntiEntropy.answerBody(0, 0, 1, false, 0, 0, body.toByteArray()))) {
            raw.send(ByteBuffer.wrap(datagram), group);
        }
    }

    private static DatagramChannel rawSender() throws Exception {
        DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
        c.bind(new InetSocketAddress("127.0.0.1", 0));
        c.setOption(StandardSocketOptions.IP_MULTICAST_IF, NetworkInterface.getByName("lo"));
        return c;
    }
}
