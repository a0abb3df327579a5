package io.acp.cluster.sync.origin;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.wire.ClusterKeys;
import io.acp.cluster.sync.wire.DatagramHeader;
import io.acp.cluster.sync.wire.DatagramOpener;
import io.acp.cluster.sync.wire.DatagramSealer;
import io.acp.cluster.sync.wire.DropReason;
import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.cluster.sync.wire.Opened;
import io.acp.cluster.sync.wire.SyncCounters;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
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
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attacks on tagged deltas through the real datagram path: three real nodes on loopback multicast
 * (a small group, so deltas go out under pair tags), and an attacker who holds the cluster secret
 * (every datagram it sends authenticates) and member n3's own node key. It sends to n1, as n2:
 * a forged tag, the tag n2 made for n3, and n2's genuine datagram again; each is refused or
 * dropped, counted, and n2's meta at n1 stays what n2 wrote.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PairTagAttackTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectKey VM = ObjectKey.of(ObjectType.SYSTEM, "vm1");

    /** One tag slot of a tagged delta body. */
    private record Slot(String receiver, long keyId, byte[] tag) {
    }

    /** A tagged delta body taken apart: sender key id, tag slots, entry bytes. */
    private record Body(long senderKeyId, List<Slot> slots, byte[] entries) {
        static Body parse(byte[] body) {
            ByteBuffer b = ByteBuffer.wrap(body);
            long senderKeyId = b.getLong();
            int n = b.get() & 0xFF;
            Slot[] slots = new Slot[n];
            for (int i = 0; i < n; i++) {
                byte[] name = new byte[b.get() & 0xFF];
                b.get(name);
                long keyId = b.getLong();
                byte[] tag = new byte[PairTags.TAG_LENGTH];
                b.get(tag);
                slots[i] = new Slot(new String(name, StandardCharsets.US_ASCII), keyId, tag);
            }
            return new Body(senderKeyId, List.of(slots), Arrays.copyOfRange(body, b.position(), body.length));
        }

        byte[] bytes() {
            ByteBuffer b = ByteBuffer.allocate(4096);
            b.putLong(senderKeyId);
            b.put((byte) slots.size());
            for (Slot s : slots) {
                b.put((byte) s.receiver().length());
                b.put(s.receiver().getBytes(StandardCharsets.US_ASCII));
                b.putLong(s.keyId());
                b.put(s.tag());
            }
            b.put(entries);
            return Arrays.copyOf(b.array(), b.position());
        }

        Slot slotOf(String receiver) {
            return slots.stream().filter(s -> s.receiver().equals(receiver)).findFirst().orElseThrow();
        }

        Body withSlots(List<Slot> other) {
            return new Body(senderKeyId, other, entries);
        }

        Body withEntries(byte[] other) {
            return new Body(senderKeyId, slots, other);
        }
    }

    private static X509Certificate certificate(InProcessCluster.Node n) {
        return Pem.readCertificate(PkiFiles.in(n.dataDir).nodeCertificate());
    }

    @Test
    void forgedTagsTagsForAnotherReceiverAndReplaysAreRefusedAndChangeNothing() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3); DatagramChannel raw = DatagramChannel.open()) {
            raw.bind(new InetSocketAddress("127.0.0.1", 0));
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);
            cluster.awaitConverged(WAIT);
            Eventually.await(WAIT, () -> n2.sync().membership().size() >= 2, () -> "n2 hears " + n2.sync().membership());
            var s = cluster.settings();
            ClusterKeys keys = new ClusterKeys(s.clusterId(), s.secret(), Optional.empty());
            InetSocketAddress to = n1.sync().address();

            // a genuine tagged delta of n2, as n1 receives it
            n1.faults().capture();
            n2.cdb().putMeta(VM, Json.object().put("agent", "10.0.0.2:7443"));
            Eventually.await(WAIT, () -> !n1.cdb().meta(VM, "n2").isEmpty(), () -> "n1 lacks n2's meta");
            DatagramOpener opener = new DatagramOpener(keys, "attacker", new SyncCounters());
            byte[] genuineDatagram = null;
            Opened genuine = null;
            for (byte[] d : n1.faults().captured()) {
                Opened o = opener.open(d);
                if (o != null && o.header().type() == MessageType.TAGGED_DELTA && o.header().sender().equals("n2")) {
                    genuineDatagram = d;
                    genuine = o;
                }
            }
            assertThat(genuine).as("n2's delta went out under pair tags (3 nodes, no bridge)").isNotNull();
            Body body = Body.parse(genuine.body());
            assertThat(body.slots()).extracting(Slot::receiver).contains("n1", "n3");
            MetaEntry held = n1.cdb().meta(VM, "n2").get(0);
            OriginCounters refused = n1.sync().refusals();

            // n2's own datagram sent again: the replay guard drops it
            long replayedBefore = n1.sync().counters().droppedCount(DropReason.REPLAYED);
            raw.send(ByteBuffer.wrap(genuineDatagram), to);
            Eventually.await(WAIT, () -> n1.sync().counters().droppedCount(DropReason.REPLAYED) > replayedBefore,
                    () -> "replay not dropped: " + n1.sync().stats());

            // the attacker re-wraps bodies under n2's name and epoch with fresh sequences (it holds the secret)
            DatagramHeader h = genuine.header();
            DatagramSealer asN2 = new DatagramSealer(keys, "n2", h.epoch(), h.sequence() + 1_000_000, s.maxDatagramBytes());
            MetaEntry forged = new MetaEntry(VM, "n2", Json.object().put("agent", "10.6.6.6:7443"), new Version(Long.MAX_VALUE / 2, "n2"));
            byte[] forgedEntries = EntryCodec.encode(forged);

            // 1. the tag n2 made for n3 (n3 may read it) moved into n1's slot
            Slot forN3 = body.slotOf("n3");
            Slot forN1 = body.slotOf("n1");
            byte[] wrongReceiver = body.withSlots(List.of(new Slot("n1", forN1.keyId(), forN3.tag()))).bytes();
            send(raw, asN2.seal(MessageType.TAGGED_DELTA, wrongReceiver), to);
            Eventually.await(WAIT, () -> refused.count(Refusal.BAD_TAG) >= 1, () -> "refusals " + refused.snapshot());

            // 2. a forged meta of n2 under the best tag a member can make: n3's own pair key with n1
            NodeSigner n3Key = TestPki.signer(cluster.ca(), cluster.node(3).dataDir, "n3");
            AuthorKeys n3Knows = new AuthorKeys(Pem.readCertificate(cluster.ca().caCertificate()));
            X509Certificate n1Cert = certificate(n1);
            n3Knows.learn("n1", n1Cert);
            PairTags n3Tags = new PairTags(n3Key, n3Knows, new OriginCounters("n3"), System::currentTimeMillis);
            var n1Key = n3Knows.key("n1", forN1.keyId(), System.currentTimeMillis());
            byte[] byN3 = n3Tags.tag(n3Tags.pairKey("n1", forN1.keyId(), new AuthorKeys.MemberKey("n1", forN1.keyId(), n1Key.key())),
                    "n2", "n1", h.epoch(), body.senderKeyId(), forN1.keyId(), forgedEntries, 0, forgedEntries.length);
            send(raw, asN2.seal(MessageType.TAGGED_DELTA, body.withEntries(forgedEntries).withSlots(List.of(new Slot("n1", forN1.keyId(), byN3))).bytes()), to);
            Eventually.await(WAIT, () -> refused.count(Refusal.BAD_TAG) >= 2, () -> "refusals " + refused.snapshot());

            // 3. n2's genuine tag over forged entries
            send(raw, asN2.seal(MessageType.TAGGED_DELTA, body.withEntries(forgedEntries).bytes()), to);
            Eventually.await(WAIT, () -> refused.count(Refusal.BAD_TAG) >= 3, () -> "refusals " + refused.snapshot());

            // 4. n2's genuine body re-wrapped in a later epoch: the tag covers the epoch
            DatagramSealer laterEpoch = new DatagramSealer(keys, "n2", h.epoch() + 1, s.maxDatagramBytes());
            send(raw, laterEpoch.seal(MessageType.TAGGED_DELTA, genuine.body()), to);
            Eventually.await(WAIT, () -> refused.count(Refusal.BAD_TAG) >= 4, () -> "refusals " + refused.snapshot());

            assertThat(n1.cdb().meta(VM, "n2")).containsExactly(held);
            assertThat(n1.sync().refusals().snapshot()).containsEntry("sync.refused.bad-tag", 4L);
        }
    }

    private static void send(DatagramChannel raw, byte[][] datagrams, InetSocketAddress to) throws Exception {
        for (byte[] d : datagrams) {
            raw.send(ByteBuffer.wrap(d), to);
        }
    }
}
