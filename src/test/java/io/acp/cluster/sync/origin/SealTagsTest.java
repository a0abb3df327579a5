package io.acp.cluster.sync.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.model.Entry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import io.acp.testing.TestPki;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seal tags at the scale target, with real CA-issued node keys: a sender that knows 255 other
 * member keys vouches for its batch to each in four SEAL_TAGS bodies; a receiver takes the batch's
 * entries with no ECDSA verification, yet a copy of the same root under another signature is still
 * verified (and refused); beyond 512 keys no tags go out, and a body claiming more than 128 slots is refused.
 */
class SealTagsTest {

    @TempDir
    static Path dir;
    private static PkiFiles ca;
    private static final List<NodeSigner> MEMBERS = new ArrayList<>();
    private static final long NOW = System.currentTimeMillis();

    @BeforeAll
    static void members() {
        ca = TestPki.newCluster(dir.resolve("ca"), "tags");
        for (int i = 0; i <= SealTags.MAX_RECEIVERS + 1; i++) {
            String id = String.format("m%03d", i);
            MEMBERS.add(TestPki.signer(ca, dir.resolve(id), id));
        }
    }

    /** What node {@code self} knows: the certificates of the first {@code count} members. */
    private static AuthorKeys knownBy(int count) {
        AuthorKeys keys = new AuthorKeys(Pem.readCertificate(ca.caCertificate()));
        MEMBERS.subList(0, count).forEach(m -> keys.learn(m.node(), m.certificate()));
        return keys;
    }

    private static SealTags tagsOf(NodeSigner self, AuthorKeys keys, OriginCheck check, OriginCounters counters) {
        return new SealTags(self, keys, new PairTags(self, keys, counters, () -> NOW), check, counters, () -> NOW);
    }

    private static List<Entry> sample(NodeSigner author) {
        List<Entry> out = new ArrayList<>();
        for (int k = 0; k < 40; k++) {
            out.add(new StatsEntry(ObjectKey.of(ObjectType.SYSTEM, author.node() + "-" + k), author.node(),
                    Map.of("cpu", (double) k), new Version(NOW * 1000 + k, author.node())));
        }
        return out;
    }

    @Test
    void aReceiverAmong255TakesTheBatchWithoutAVerificationButNotAnotherSignature() {
        NodeSigner sender = MEMBERS.get(0);
        NodeSigner receiver = MEMBERS.get(255); // the last of 256 members
        AuthorKeys senderKnows = knownBy(256);
        OriginCounters sent = new OriginCounters(sender.node());
        SealTags out = tagsOf(sender, senderKnows, new OriginCheck(senderKnows, sent, () -> NOW), sent);
        List<SealedEntry> sealed = sender.seal(sample(sender));
        List<SealTags.Batch> batches = out.batches(sealed);
        assertThat(batches).hasSize(1);
        List<byte[]> bodies = out.encode(batches.get(0), 7, 1_300);
        assertThat(bodies).as("255 slots of 16 bytes, 75 to a body of 1,300 bytes").hasSize(4)
                .allSatisfy(b -> assertThat(b.length).isLessThanOrEqualTo(1_300));

        AuthorKeys receiverKnows = knownBy(256);
        OriginCounters counters = new OriginCounters(receiver.node());
        OriginCheck check = new OriginCheck(receiverKnows, counters, () -> NOW);
        SealTags in = tagsOf(receiver, receiverKnows, check, counters);
        bodies.forEach(b -> in.open(sender.node(), 7, b));
        assertThat(in.untagged()).as("three of the four bodies have no slot for this receiver").isEqualTo(3);
        assertThat(counters.total()).isZero();

        // a forged signature over the vouched root is not what was vouched for: it is verified, and fails
        Seal genuine = sealed.get(0).seal();
        byte[] other = genuine.signature().clone();
        other[5] ^= 1;
        SealedEntry swapped = new SealedEntry(sealed.get(0).entry(), sealed.get(0).encoded(),
                new Seal(genuine.author(), genuine.keyId(), genuine.height(), genuine.leaf(), genuine.path(), other));
        assertThat(check.accept(swapped, sender.node())).isFalse();
        assertThat(counters.count(Refusal.BAD_SIGNATURE)).isEqualTo(1);
        assertThat(check.signaturesVerified()).isEqualTo(1);

        assertThat(sealed).allSatisfy(s -> assertThat(check.accept(s, sender.node())).isTrue());
        assertThat(check.signaturesVerified()).as("the vouched batch costs no ECDSA verification").isEqualTo(1);
        assertThat(check.sealsVouched()).isEqualTo(1);

        // under another epoch (a replay after the sender restarted) the tag does not verify
        OriginCheck later = new OriginCheck(receiverKnows, counters, () -> NOW);
        SealTags laterIn = tagsOf(receiver, receiverKnows, later, counters);
        bodies.forEach(b -> laterIn.open(sender.node(), 8, b));
        assertThat(counters.count(Refusal.BAD_TAG)).isEqualTo(1);
        assertThat(later.sealsVouched()).isZero();
    }

    @Test
    void beyond512KeysNoTagsGoOutAndABodyClaimingMoreThan128SlotsIsRefused() {
        NodeSigner sender = MEMBERS.get(0);
        AuthorKeys knowsAll = knownBy(SealTags.MAX_RECEIVERS + 2); // 513 others
        OriginCounters counters = new OriginCounters(sender.node());
        SealTags tags = tagsOf(sender, knowsAll, new OriginCheck(knowsAll, counters, () -> NOW), counters);
        SealTags.Batch batch = tags.batches(sender.seal(sample(sender))).get(0);
        assertThat(tags.encode(batch, 7, 1_300)).isEmpty();

        NodeSigner receiver = MEMBERS.get(1);
        OriginCheck check = new OriginCheck(knowsAll, counters, () -> NOW);
        SealTags in = tagsOf(receiver, knowsAll, check, counters);
        int n = SealTags.MAX_SLOTS_PER_BODY + 1;
        ByteBuffer b = ByteBuffer.allocate(SealTags.HEADER_LENGTH + n * SealTags.SLOT_LENGTH);
        b.putLong(batch.keyId()).put((byte) batch.height()).put(batch.root()).put(batch.signature()).put((byte) n);
        assertThatThrownBy(() -> in.open(sender.node(), 7, b.array())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than 128");
        assertThat(check.sealsVouched()).isZero();
    }
}
