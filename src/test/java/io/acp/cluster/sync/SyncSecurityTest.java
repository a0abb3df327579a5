package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.wire.DatagramHeader;
import io.acp.cluster.sync.wire.DropReason;
import io.acp.cluster.sync.wire.SyncCounters;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile datagrams against real nodes, sent on a raw socket: random bytes, real datagrams with a
 * flipped tag or a changed header, verbatim replays, and whole clusters with another secret or
 * cluster id on the same group and port. Each is dropped, counted, and changes no state.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SyncSecurityTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static void writeSome(InProcessCluster cluster, String tag) {
        for (InProcessCluster.Node n : cluster.runningNodes()) {
            for (int i = 0; i < 10; i++) {
                ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, tag + "-" + n.id + "-" + i);
                n.cdb().putObject(key, null, Json.object().put("i", i), null).await().atMost(Duration.ofSeconds(5));
                n.cdb().putMeta(key, Json.object().put("state", "up"));
            }
        }
    }

    private static DatagramChannel rawSender() throws Exception {
        DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
        c.bind(new InetSocketAddress("127.0.0.1", 0));
        c.setOption(StandardSocketOptions.IP_MULTICAST_IF, NetworkInterface.getByName("lo"));
        return c;
    }

    @Test
    void forgedAndReplayedDatagramsAreDroppedCountedAndChangeNothing() throws Exception {
        // Peers turn suspect only after 5 s of silence here (1 s by default in tests): on a loaded machine a
        // stall of a second made a node publish a peer as suspect between the two digest readings below, a
        // real change of its meta that no forged datagram caused.
        SyncSettings calm = InProcessCluster.testSettings("test", "in-process cluster secret 0123456789")
                .withTimings(Duration.ofMillis(100), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofMillis(150));
        try (InProcessCluster cluster = InProcessCluster.start(3, calm, SyncSettings.Mode.MULTICAST, "n", 42); DatagramChannel raw = rawSender()) {
            InProcessCluster.Node target = cluster.node(2);
            target.faults().capture();
            writeSome(cluster, "real");
            // every node ready first: a node's turn to ready writes its readiness meta, which would
            // change every digest after the snapshot below
            Eventually.await(WAIT, () -> cluster.nodes().stream().allMatch(n -> n.cdb().readiness() == io.acp.cluster.Readiness.READY),
                    "all nodes ready");
            // and every node holds every node's readiness meta saying so: a node sets its readiness a
            // moment before it writes that meta, and three nodes ready within milliseconds of each
            // other let the digests agree in that moment (CI saw it)
            Eventually.await(WAIT, () -> cluster.nodes().stream().allMatch(n -> cluster.nodes().stream().allMatch(m ->
                            n.cdb().meta(ObjectKey.of(ObjectType.NODE, m.id), m.id).stream()
                                    .anyMatch(e -> e.values().path("readiness").asText().equals("ready")))),
                    "every node holds every node's readiness meta as ready");
            cluster.awaitConverged(WAIT);
            // the peers' heartbeats keep coming: wait for a few rather than count what came so far
            Eventually.await(WAIT, () -> realFromPeers(target).size() >= 3, "three real datagrams from peers captured");
            List<byte[]> captured = realFromPeers(target);

            Map<String, StateDigest> digests = new HashMap<>();
            Map<String, Long> merged = new HashMap<>();
            cluster.nodes().forEach(n -> digests.put(n.id, n.sync().digest()));
            cluster.nodes().forEach(n -> merged.put(n.id, n.sync().counters().entriesMergedCount()));
            SyncCounters counters = target.sync().counters();
            long forgedBefore = counters.droppedCount(DropReason.FORGED);
            long replayedBefore = counters.droppedCount(DropReason.REPLAYED);
            long structuralBefore = counters.droppedCount(DropReason.TOO_SHORT) + counters.droppedCount(DropReason.BAD_MAGIC);

            InetSocketAddress to = target.sync().address();
            InetSocketAddress group = new InetSocketAddress(cluster.settings().group(), cluster.settings().port());
            Random random = new Random(7);
            int junk = 40;
            for (int i = 0; i < junk; i++) {
                byte[] d = new byte[random.nextInt(1500)];
                random.nextBytes(d);
                if (d.length > 0) {
                    d[0] = 0x00; // never the magic
                }
                raw.send(ByteBuffer.wrap(d), to);
                raw.send(ByteBuffer.wrap(d), group);
            }
            for (byte[] real : captured) {
                byte[] flipped = real.clone();
                flipped[flipped.length - 1] ^= 0x01; // last byte of the tag
                raw.send(ByteBuffer.wrap(flipped), to);
                byte[] otherEpoch = real.clone();
                otherEpoch[19] ^= 0x01; // the epoch, which is authenticated data
                raw.send(ByteBuffer.wrap(otherEpoch), to);
                raw.send(ByteBuffer.wrap(real), to); // verbatim replay
            }

            Eventually.await(WAIT, () -> counters.droppedCount(DropReason.REPLAYED) - replayedBefore == captured.size()
                            && counters.droppedCount(DropReason.FORGED) - forgedBefore == 2L * captured.size()
                            && counters.droppedCount(DropReason.TOO_SHORT) + counters.droppedCount(DropReason.BAD_MAGIC) - structuralBefore == 2L * junk, // each sent to the node and to the group
                    () -> "drops on " + target.id + ": " + counters.snapshot() + " after " + captured.size() + " captured");
            Thread.sleep(300); // heartbeats keep flowing meanwhile; state must still be what it was
            for (InProcessCluster.Node n : cluster.nodes()) {
                assertThat(n.sync().digest()).as("digest of %s", n.id).isEqualTo(digests.get(n.id));
                assertThat(n.sync().counters().entriesMergedCount()).as("entries merged by %s", n.id).isEqualTo(merged.get(n.id));
            }
        }
    }

    @Test
    void clustersWithAnotherSecretOrClusterIdOnTheSameGroupStaySeparate() throws Exception {
        var settings = InProcessCluster.testSettings("shared", "the first cluster's secret 12345");
        try (InProcessCluster a = InProcessCluster.start(3, settings, "a", 1);
             InProcessCluster b = InProcessCluster.start(2, settings.withSecret("the other cluster's secret 67890"), "b", 2);
             InProcessCluster c = InProcessCluster.start(2, settings.withClusterId("elsewhere"), "c", 3)) {
            writeSome(a, "x");
            writeSome(b, "y");
            writeSome(c, "z");
            a.awaitConverged(WAIT);
            b.awaitConverged(WAIT);
            c.awaitConverged(WAIT);
            assertThat(a.node(1).cdb().objectCount()).isEqualTo(30);
            assertThat(b.node(1).cdb().objectCount()).isEqualTo(20);
            assertThat(c.node(1).cdb().objectCount()).isEqualTo(20);
            assertThat(a.node(1).sync().membership()).extracting(p -> p.node()).containsExactly("a2", "a3");
            SyncCounters seenByA = a.node(1).sync().counters();
            Eventually.await(WAIT, () -> seenByA.droppedCount(DropReason.FORGED) > 0 && seenByA.droppedCount(DropReason.FOREIGN_CLUSTER) > 0,
                    () -> "a1 counters " + seenByA.snapshot());
        }
    }

    /** What the node received from its peers so far, as captured by its fault layer. */
    private static List<byte[]> realFromPeers(InProcessCluster.Node target) {
        return target.faults().captured().stream()
                .filter(d -> !DatagramHeader.read(d).sender().equals(target.id))
                .toList();
    }
}
