package io.acp.cluster.sync.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.wire.ClusterKeys;
import io.acp.cluster.sync.wire.DatagramSealer;
import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.model.HybridClock;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import io.acp.testing.TestPki;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A member returning objects to their author (docs/protocol.md, "Returned objects") cannot make the
 * author take anything it did not write in an earlier life. The attacker holds the cluster secret
 * and member n3's node key, and sends RETURNED messages to n1 in n3's name through the real
 * datagram path, to three real nodes on loopback multicast: an object "of n1's" dated after n1's
 * start, another node's object, an older version of an object n1 holds, and a tagged delta's body
 * relabelled as RETURNED. Each is refused or ignored, and n1 holds what it held.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReturnedObjectAttackTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectKey HELD = ObjectKey.of(ObjectType.ALARM, "held");

    @Test
    void returnedObjectsAMemberMakesUpAreRefusedAndChangeNothing() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3); DatagramChannel raw = DatagramChannel.open()) {
            raw.bind(new InetSocketAddress("127.0.0.1", 0));
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n3 = cluster.node(3);
            cluster.awaitConverged(WAIT);
            n1.cdb().putObject(HELD, null, Json.object().put("v", "n1's own"), null).await().atMost(WAIT);
            ObjectEntry held = n1.cdb().entry(HELD).orElseThrow();
            cluster.awaitConverged(WAIT);

            var s = cluster.settings();
            ClusterKeys keys = new ClusterKeys(s.clusterId(), s.secret(), Optional.empty());
            DatagramSealer asN3 = new DatagramSealer(keys, "n3", n3.sync().epoch(), 1_000_000, s.maxDatagramBytes());
            NodeSigner n3Key = TestPki.signer(cluster.ca(), n3.dataDir, "n3");
            AuthorKeys n3Knows = new AuthorKeys(Pem.readCertificate(cluster.ca().caCertificate()));
            n3Knows.learn("n1", Pem.readCertificate(PkiFiles.in(n1.dataDir).nodeCertificate()));
            PairTags n3Tags = new PairTags(n3Key, n3Knows, new OriginCounters("n3"), System::currentTimeMillis);
            List<AuthorKeys.MemberKey> n1Keys = n3Knows.validKeysOf("n1", System.currentTimeMillis());
            OriginCounters refused = n1.sync().refusals();
            InetSocketAddress to = n1.sync().address();
            long now = n1.cdb().clock().now(); // a clock reading of n1's current life

            // 1. an object "written by n1" since it started, which n1 does not hold: made up
            ObjectKey madeUp = ObjectKey.of(ObjectType.ALARM, "made-up");
            ObjectEntry ofThisLife = new ObjectEntry(madeUp, null, Json.object().put("v", "forged"), new Version(now, "n1"), false);
            send(raw, asN3.seal(MessageType.RETURNED, n3Tags.encodeReturned(List.of(ofThisLife), n1Keys, n3.sync().epoch(), 60_000).get(0)), to);
            Eventually.await(WAIT, () -> refused.count(Refusal.NOT_AUTHOR) >= 1, () -> "refusals " + refused.snapshot());

            // 2. n2's object, as if n1's own: refused alone, whatever the tag
            ObjectEntry ofN2 = new ObjectEntry(ObjectKey.of(ObjectType.ALARM, "of-n2"), null, Json.object(), new Version(HybridClock.fromMillis(1_000), "n2"), false);
            send(raw, asN3.seal(MessageType.RETURNED, body(n3Tags, n1Keys.get(0), n3Key.keyId(), n3.sync().epoch(), EntryCodec.encode(ofN2), true)), to);
            Eventually.await(WAIT, () -> refused.count(Refusal.NOT_AUTHOR) >= 2, () -> "refusals " + refused.snapshot());

            // 3. an older version of n1's object: n1 keeps the one it holds
            long ignoredBefore = n1.sync().counters().snapshot().get("sync.entries.ignored");
            ObjectEntry older = new ObjectEntry(HELD, null, Json.object().put("v", "older"), new Version(HybridClock.fromMillis(held.version().millis() - 1_000), "n1"), false);
            send(raw, asN3.seal(MessageType.RETURNED, n3Tags.encodeReturned(List.of(older), n1Keys, n3.sync().epoch(), 60_000).get(0)), to);
            Eventually.await(WAIT, () -> n1.sync().counters().snapshot().get("sync.entries.ignored") > ignoredBefore,
                    () -> "the older version not looked at: " + n1.sync().stats());

            // 4. a body tagged as a tagged delta's, sent as RETURNED: the tag's domain differs
            ObjectEntry old = new ObjectEntry(ObjectKey.of(ObjectType.ALARM, "relabelled"), null, Json.object(), new Version(HybridClock.fromMillis(1_000), "n1"), false);
            send(raw, asN3.seal(MessageType.RETURNED, body(n3Tags, n1Keys.get(0), n3Key.keyId(), n3.sync().epoch(), EntryCodec.encode(old), false)), to);
            Eventually.await(WAIT, () -> refused.count(Refusal.BAD_TAG) >= 1, () -> "refusals " + refused.snapshot());

            assertThat(n1.cdb().entry(madeUp)).as("the made-up object").isEmpty();
            assertThat(n1.cdb().entry(ofN2.key())).as("n2's object").isEmpty();
            assertThat(n1.cdb().entry(old.key())).as("the relabelled one").isEmpty();
            assertThat(n1.cdb().entry(HELD)).contains(held);
            assertThat(n1.sync().counters().returnedTakenBackCount()).isZero();
        }
    }

    /** A RETURNED-layout body for one receiver key, tagged in the RETURNED domain or in the tagged deltas' one. */
    private static byte[] body(PairTags tags, AuthorKeys.MemberKey to, long senderKeyId, long epoch, byte[] entries, boolean returnDomain) {
        var pair = tags.pairKey(to.node(), to.keyId(), to);
        byte[] tag = returnDomain ? tags.returnTag(pair, "n3", to.node(), epoch, senderKeyId, to.keyId(), entries)
                : tags.tag(pair, "n3", to.node(), epoch, senderKeyId, to.keyId(), entries, 0, entries.length);
        byte[] name = to.node().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(8 + 1 + 1 + name.length + 8 + tag.length + entries.length);
        b.putLong(senderKeyId).put((byte) 1).put((byte) name.length).put(name).putLong(to.keyId()).put(tag).put(entries);
        return b.array();
    }

    private static void send(DatagramChannel raw, byte[][] datagrams, InetSocketAddress to) throws Exception {
        for (byte[] d : datagrams) {
            raw.send(ByteBuffer.wrap(d), to);
        }
    }
}
