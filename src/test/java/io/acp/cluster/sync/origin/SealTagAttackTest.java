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
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attacks on seal tags through the real datagram path: three real nodes on loopback multicast, and
 * an attacker who holds the cluster secret (every datagram it sends authenticates) and member n3's
 * own node key. A seal tag lets n1 take a seal of n2 without verifying it, so the attacker tries to
 * get a forged seal of n2 vouched at n1 and then sends a meta of n2 under it: every tag is refused
 * as {@code bad-tag}, every malformed tag set is dropped, the forged meta is refused as
 * {@code bad-signature}, and n2's meta at n1 stays what n2 wrote.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SealTagAttackTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectKey VM = ObjectKey.of(ObjectType.SYSTEM, "vm1");

    /** A SEAL_TAGS body taken apart. */
    private record Body(SealTags.Batch batch, int[] prefixes, byte[][] tags) {
        static Body parse(byte[] body) {
            ByteBuffer b = ByteBuffer.wrap(body);
            long keyId = b.getLong();
            int height = b.get() & 0xFF;
            byte[] root = new byte[Merkle.HASH_LENGTH];
            b.get(root);
            byte[] signature = new byte[EcdsaP256.SIGNATURE_LENGTH];
            b.get(signature);
            int n = b.get() & 0xFF;
            int[] prefixes = new int[n];
            byte[][] tags = new byte[n][SealTags.TAG_LENGTH];
            for (int i = 0; i < n; i++) {
                prefixes[i] = b.getInt();
                b.get(tags[i]);
            }
            return new Body(new SealTags.Batch(keyId, height, root, signature), prefixes, tags);
        }

        static byte[] bytes(SealTags.Batch batch, int claimed, int[] prefixes, byte[][] tags) {
            ByteBuffer b = ByteBuffer.allocate(SealTags.HEADER_LENGTH + prefixes.length * SealTags.SLOT_LENGTH);
            b.putLong(batch.keyId()).put((byte) batch.height()).put(batch.root()).put(batch.signature()).put((byte) claimed);
            for (int i = 0; i < prefixes.length; i++) {
                b.putInt(prefixes[i]).put(tags[i]);
            }
            return b.array();
        }

        byte[] tagFor(long keyId) {
            for (int i = 0; i < prefixes.length; i++) {
                if (prefixes[i] == (int) (keyId >>> 32)) {
                    return tags[i];
                }
            }
            throw new AssertionError("no slot for key " + Long.toHexString(keyId));
        }
    }

    @Test
    void forgedTagsForAForgedSealAreRefusedAndTheSealStillVerifies() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3); DatagramChannel raw = DatagramChannel.open()) {
            raw.bind(new InetSocketAddress("127.0.0.1", 0));
            InProcessCluster.Node n1 = cluster.node(1);
            InProcessCluster.Node n2 = cluster.node(2);
            cluster.awaitConverged(WAIT);
            Eventually.await(WAIT, () -> n2.sync().membership().size() >= 2, () -> "n2 hears " + n2.sync().membership());
            var s = cluster.settings();
            ClusterKeys keys = new ClusterKeys(s.clusterId(), s.secret(), Optional.empty());
            InetSocketAddress to = n1.sync().address();

            // n2 writes under pair tags; its seal follows at its heartbeat, with seal tags
            n1.faults().capture();
            n2.cdb().putMeta(VM, Json.object().put("agent", "10.0.0.2:7443"));
            Eventually.await(WAIT, () -> !n1.cdb().meta(VM, "n2").isEmpty(), () -> "n1 lacks n2's meta");
            MetaEntry held = n1.cdb().meta(VM, "n2").get(0);
            Eventually.await(WAIT, () -> n1.sync().sealed(held).isPresent(), () -> "n1 holds no seal of n2's meta: " + n1.sync().stats());

            DatagramOpener opener = new DatagramOpener(keys, "attacker", new SyncCounters());
            Opened genuine = null;
            for (byte[] d : n1.faults().captured()) {
                Opened o = opener.open(d);
                if (o != null && o.header().type() == MessageType.SEAL_TAGS && o.header().sender().equals("n2")) {
                    genuine = o;
                }
            }
            assertThat(genuine).as("n2 sent seal tags with its seal").isNotNull();
            Body body = Body.parse(genuine.body());
            long n1KeyId = NodeSigner.keyId(Pem.readCertificate(PkiFiles.in(n1.dataDir).nodeCertificate()).getPublicKey());
            NodeSigner n3Key = TestPki.signer(cluster.ca(), cluster.node(3).dataDir, "n3");
            int n1Prefix = (int) (n1KeyId >>> 32);

            // the attacker's forged meta of n2, "sealed" as n2 (it cannot sign: any 64 bytes will do)
            MetaEntry forged = new MetaEntry(VM, "n2", Json.object().put("agent", "10.6.6.6:7443"),
                    new Version(held.version().time() + 1, "n2"));
            byte[] encoded = EntryCodec.encode(forged);
            byte[] root = Merkle.leaf(Merkle.sha256(), encoded);
            byte[] garbage = new byte[EcdsaP256.SIGNATURE_LENGTH];
            Arrays.fill(garbage, (byte) 7);
            SealTags.Batch forgedBatch = new SealTags.Batch(body.batch().keyId(), 0, root, garbage);
            byte[] forgedDelta = SealedCodec.encode(new SealedEntry(forged, encoded, new Seal("n2", body.batch().keyId(), 0, 0, new byte[0], garbage)));

            DatagramHeader h = genuine.header();
            DatagramSealer asN2 = new DatagramSealer(keys, "n2", h.epoch(), h.sequence() + 1_000_000, s.maxDatagramBytes());
            OriginCounters refused = n1.sync().refusals();

            // 1. n2's genuine tag for n1 (made for another batch) on the forged batch
            send(raw, asN2.seal(MessageType.SEAL_TAGS, Body.bytes(forgedBatch, 1, new int[] {n1Prefix}, new byte[][] {body.tagFor(n1KeyId)})), to);
            Eventually.await(WAIT, () -> refused.count(Refusal.BAD_TAG) >= 1, () -> "refusals " + refused.snapshot());

            // 2. the best tag a member can make for the forged batch: n3's own pair key with n1
            AuthorKeys n3Knows = new AuthorKeys(Pem.readCertificate(cluster.ca().caCertificate()));
            n3Knows.learn("n1", Pem.readCertificate(PkiFiles.in(n1.dataDir).nodeCertificate()));
            OriginCounters n3Counters = new OriginCounters("n3");
            PairTags n3Pairs = new PairTags(n3Key, n3Knows, n3Counters, System::currentTimeMillis);
            SealTags n3Tags = new SealTags(n3Key, n3Knows, n3Pairs, new OriginCheck(n3Knows, n3Counters, System::currentTimeMillis),
                    n3Counters, System::currentTimeMillis);
            var n1Key = n3Knows.key("n1", n1KeyId, System.currentTimeMillis());
            byte[] byN3 = n3Tags.tag(n3Pairs.pairKey("n1", n1KeyId, new AuthorKeys.MemberKey("n1", n1KeyId, n1Key.key())),
                    "n2", "n1", h.epoch(), forgedBatch, forgedBatch.keyId(), n1KeyId);
            send(raw, asN2.seal(MessageType.SEAL_TAGS, Body.bytes(forgedBatch, 1, new int[] {n1Prefix}, new byte[][] {byN3})), to);
            Eventually.await(WAIT, () -> refused.count(Refusal.BAD_TAG) >= 2, () -> "refusals " + refused.snapshot());

            // 3. a forged slot: n3's genuine tag (n3 can read it) put in n1's slot of the genuine batch
            long n3KeyId = n3Key.keyId();
            send(raw, asN2.seal(MessageType.SEAL_TAGS, Body.bytes(body.batch(), 1, new int[] {n1Prefix}, new byte[][] {body.tagFor(n3KeyId)})), to);
            Eventually.await(WAIT, () -> refused.count(Refusal.BAD_TAG) >= 3, () -> "refusals " + refused.snapshot());

            // 4. malformed tag sets: a truncated tag, a slot count beyond the slots carried (a receiver
            // index out of range), more than 128 slots in one body
            long malformedBefore = n1.sync().counters().droppedCount(DropReason.MALFORMED);
            byte[] truncated = Arrays.copyOf(genuine.body(), genuine.body().length - 5);
            byte[] outOfRange = genuine.body().clone();
            outOfRange[SealTags.HEADER_LENGTH - 1]++;
            int[] many = new int[SealTags.MAX_SLOTS_PER_BODY + 1];
            byte[][] manyTags = new byte[many.length][];
            Arrays.fill(many, n1Prefix);
            Arrays.fill(manyTags, body.tagFor(n1KeyId));
            send(raw, asN2.seal(MessageType.SEAL_TAGS, truncated), to);
            send(raw, asN2.seal(MessageType.SEAL_TAGS, outOfRange), to);
            send(raw, asN2.seal(MessageType.SEAL_TAGS, Body.bytes(body.batch(), many.length, many, manyTags)), to);
            Eventually.await(WAIT, () -> n1.sync().counters().droppedCount(DropReason.MALFORMED) >= malformedBefore + 3,
                    () -> "malformed seal tags not dropped: " + n1.sync().stats());

            // the forged meta under the forged seal: nothing vouched for it, so it is verified, and fails
            send(raw, asN2.seal(MessageType.DELTA, forgedDelta), to);
            Eventually.await(WAIT, () -> refused.count(Refusal.BAD_SIGNATURE) >= 1, () -> "refusals " + refused.snapshot());

            // 5. n2's genuine tag set re-wrapped in a later epoch: the tag covers the epoch
            DatagramSealer laterEpoch = new DatagramSealer(keys, "n2", h.epoch() + 1, s.maxDatagramBytes());
            send(raw, laterEpoch.seal(MessageType.SEAL_TAGS, genuine.body()), to);
            Eventually.await(WAIT, () -> refused.count(Refusal.BAD_TAG) >= 4, () -> "refusals " + refused.snapshot());

            assertThat(n1.cdb().meta(VM, "n2")).containsExactly(held);
            assertThat(n1.sync().sealed(held)).isPresent();
            assertThat(refused.snapshot()).containsEntry("sync.refused.bad-tag", 4L).containsEntry("sync.refused.bad-signature", 1L);
        }
    }

    private static void send(DatagramChannel raw, byte[][] datagrams, InetSocketAddress to) throws Exception {
        for (byte[] d : datagrams) {
            raw.send(ByteBuffer.wrap(d), to);
        }
    }
}
