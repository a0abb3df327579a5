package io.acp.cluster.sync.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.sync.wire.EntryCodec;
import io.acp.cluster.sync.wire.StatsSetCodec;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sealed groups on the wire: a flush packed per datagram body carries one signature and a
 * multiproof per body, every entry still verifies (alone too, once relayed), and a changed entry,
 * a moved leaf or a proof cut short or padded is refused.
 */
class SealedCodecTest {

    @TempDir
    Path dir;

    private static List<StatsEntry> stats(String node, int n) {
        List<StatsEntry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new StatsEntry(ObjectKey.of(ObjectType.SYSTEM, "vm-" + i), node, Map.of("cpu", i * 1.0, "mem", i * 2.0, "rx", 3.0, "tx", 4.0),
                    new Version(1_000_000L + i, node)));
        }
        return out;
    }

    private OriginCheck checkerFor(PkiFiles ca, NodeSigner signer, OriginCounters counters) {
        AuthorKeys keys = new AuthorKeys(Pem.readCertificate(ca.caCertificate()));
        keys.learn(signer.node(), signer.certificate());
        return new OriginCheck(keys, counters, System::currentTimeMillis);
    }

    @Test
    void aFlushPackedPerBodyVerifiesWithOneSignatureAndFarFewerBytesThanASealPerEntry() {
        PkiFiles ca = TestPki.newCluster(dir.resolve("ca"), "test");
        NodeSigner n2 = TestPki.signer(ca, dir.resolve("n2"), "n2");
        List<SealedEntry> sealed = n2.seal(stats("n2", 100));
        List<byte[]> bodies = SealedCodec.pack(sealed, 1400, Integer.MAX_VALUE);
        OriginCounters counters = new OriginCounters("n1");
        OriginCheck check = checkerFor(ca, n2, counters);

        List<SealedEntry> received = new ArrayList<>();
        bodies.forEach(b -> received.addAll(SealedCodec.decode(b)));

        assertThat(bodies).allSatisfy(b -> assertThat(b.length).isLessThanOrEqualTo(1400));
        assertThat(received).extracting(SealedEntry::entry).containsExactlyElementsOf(stats("n2", 100));
        assertThat(received).allSatisfy(s -> assertThat(check.accept(s, "n2")).isTrue());
        assertThat(check.signaturesVerified()).isEqualTo(1);
        assertThat(counters.total()).isZero();
        // the path each entry gets back is the one its author made: it can be relayed alone
        for (int i = 0; i < sealed.size(); i++) {
            assertThat(received.get(i).seal().path()).isEqualTo(sealed.get(i).seal().path());
        }
        int entryBytes = sealed.stream().mapToInt(s -> s.encoded().length).sum();
        int sealPerEntry = sealed.stream().mapToInt(SealedEntry::length).sum();
        int grouped = bodies.stream().mapToInt(b -> b.length).sum();
        assertThat(grouped - entryBytes).as("seal overhead grouped vs per entry").isLessThan((sealPerEntry - entryBytes) / 4);
    }

    @Test
    void anEntryRelayedAloneVerifiesAgainstTheRootAlreadyVerified() {
        PkiFiles ca = TestPki.newCluster(dir.resolve("ca"), "test");
        NodeSigner n2 = TestPki.signer(ca, dir.resolve("n2"), "n2");
        List<SealedEntry> sealed = n2.seal(stats("n2", 20));
        OriginCheck check = checkerFor(ca, n2, new OriginCounters("n1"));
        List<SealedEntry> first = SealedCodec.decode(SealedCodec.pack(sealed.subList(0, 10), 1400, Integer.MAX_VALUE).get(0));
        assertThat(first).allSatisfy(s -> assertThat(check.accept(s, "n2")).isTrue());

        SealedEntry relayed = SealedCodec.decode(SealedCodec.encode(first.get(3))).get(0);
        SealedEntry later = SealedCodec.decode(SealedCodec.encode(sealed.get(17))).get(0);

        assertThat(check.accept(relayed, "n3")).isTrue();
        assertThat(check.accept(later, "n3")).isTrue();
        assertThat(check.signaturesVerified()).isEqualTo(1);
    }

    @Test
    void aChangedEntryOrAMovedLeafInAGroupIsRefusedAsBadSignature() {
        PkiFiles ca = TestPki.newCluster(dir.resolve("ca"), "test");
        NodeSigner n2 = TestPki.signer(ca, dir.resolve("n2"), "n2");
        List<SealedEntry> sealed = new ArrayList<>(n2.seal(stats("n2", 8)));
        StatsEntry genuine = (StatsEntry) sealed.get(5).entry();
        StatsEntry changed = new StatsEntry(genuine.key(), "n2", Map.of("cpu", 99.0), genuine.version());
        sealed.set(5, new SealedEntry(changed, EntryCodec.encode(changed), sealed.get(5).seal()));
        OriginCounters counters = new OriginCounters("n1");
        OriginCheck check = checkerFor(ca, n2, counters);

        List<SealedEntry> received = SealedCodec.decode(SealedCodec.pack(sealed, 1400, Integer.MAX_VALUE).get(0));

        assertThat(received).noneSatisfy(s -> assertThat(check.accept(s, "n2")).isTrue());
        assertThat(counters.count(Refusal.BAD_SIGNATURE)).isEqualTo(8);
        assertThat(check.signaturesVerified()).as("one failed verification per forged group").isEqualTo(1);
    }

    @Test
    void aProofCutShortOrPaddedIsMalformed() {
        PkiFiles ca = TestPki.newCluster(dir.resolve("ca"), "test");
        NodeSigner n2 = TestPki.signer(ca, dir.resolve("n2"), "n2");
        byte[] body = SealedCodec.encode(n2.seal(stats("n2", 4)).get(1));
        int proofCountAt = 1 + 2 + 8 + 1 + 64 + 2 + 2;
        byte[] tooMany = body.clone();
        ByteBuffer.wrap(tooMany).putShort(proofCountAt, (short) (ByteBuffer.wrap(body).getShort(proofCountAt) - 1));

        assertThatThrownBy(() -> SealedCodec.decode(tooMany)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SealedCodec.decode(java.util.Arrays.copyOf(body, body.length - 3))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anAuthorLongerThanTheBodyIsMalformedAndNamed() {
        PkiFiles ca = TestPki.newCluster(dir.resolve("ca"), "test");
        NodeSigner n2 = TestPki.signer(ca, dir.resolve("n2"), "n2");
        byte[] body = SealedCodec.encode(n2.seal(stats("n2", 1)).get(0));
        body[0] = (byte) 0xFF; // the author's length byte: 255 bytes, more than the body holds

        assertThatThrownBy(() -> SealedCodec.decode(body)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("seal author of 255 bytes exceeds");
    }

    @Test
    void theSamplesOfAStatsSetShareOneLeafAndVerifyAndARelayOfManyOfThemSendsTheSetOnce() {
        PkiFiles ca = TestPki.newCluster(dir.resolve("ca"), "test");
        NodeSigner n2 = TestPki.signer(ca, dir.resolve("n2"), "n2");
        List<StatsEntry> all = stats("n2", 40);
        List<StatsEntry> part0 = new ArrayList<>();
        List<StatsEntry> part1 = new ArrayList<>();
        for (StatsEntry s : all) {
            (StatsSetCodec.partOf(s.key(), 2) == 0 ? part0 : part1).add(s);
        }
        StatsEntry plain = new StatsEntry(ObjectKey.of(ObjectType.NODE, "n2"), "n2", Map.of("load", 0.5), new Version(2_000_000L, "n2"));
        List<SealedEntry> sealed = n2.seal(List.of(plain), List.of(part0.get(0), part1.get(0)),
                List.of(StatsSetCodec.encode("n2", 7, 0, 2, part0), StatsSetCodec.encode("n2", 7, 1, 2, part1)));
        assertThat(sealed).hasSize(3).extracting(s -> s.seal().signature()).containsOnly(sealed.get(0).seal().signature());

        List<SealedEntry> received = new ArrayList<>();
        SealedCodec.pack(sealed, 1400, Integer.MAX_VALUE).forEach(b -> received.addAll(SealedCodec.decode(b)));
        List<StatsEntry> expected = new ArrayList<>(List.of(plain));
        expected.addAll(part0);
        expected.addAll(part1);
        assertThat(received).extracting(SealedEntry::entry).containsExactlyElementsOf(expected);
        List<SealedEntry> ofSet = received.subList(1, 1 + part0.size());
        assertThat(ofSet).allSatisfy(s -> {
            assertThat(s.encoded()).isSameAs(ofSet.get(0).encoded());
            assertThat(s.seal()).isSameAs(ofSet.get(0).seal());
        });
        OriginCounters counters = new OriginCounters("n1");
        OriginCheck check = checkerFor(ca, n2, counters);
        assertThat(received).allSatisfy(s -> assertThat(check.accept(s, "n2")).isTrue());

        // relayed: the samples of a set, as many as asked for, go as that set once
        List<SealedEntry> relay = new ArrayList<>();
        for (SealedEntry s : ofSet) {
            relay.add(new SealedEntry(s.entry(), s.encoded(), s.seal()));
        }
        List<byte[]> bodies = SealedCodec.pack(relay, 1400, Integer.MAX_VALUE);
        assertThat(bodies).hasSize(1);
        assertThat(bodies.get(0).length).isLessThan(ofSet.get(0).encoded().length * 2);
        List<SealedEntry> again = SealedCodec.decode(bodies.get(0));
        assertThat(again).extracting(SealedEntry::entry).containsExactlyElementsOf(part0);
        OriginCheck fresh = checkerFor(ca, n2, new OriginCounters("n3"));
        assertThat(again).allSatisfy(s -> assertThat(fresh.accept(s, "n1")).as("a relayed set verifies alone").isTrue());
    }

    @Test
    void aStatsSetChangedAfterSealingIsRefusedAsBadSignature() {
        PkiFiles ca = TestPki.newCluster(dir.resolve("ca"), "test");
        NodeSigner n2 = TestPki.signer(ca, dir.resolve("n2"), "n2");
        List<StatsEntry> samples = stats("n2", 10);
        byte[] set = StatsSetCodec.encode("n2", 7, 0, 1, samples);
        SealedEntry sealed = n2.seal(List.of(), List.of(samples.get(0)), List.of(set)).get(0);
        byte[] body = SealedCodec.encode(sealed);
        body[body.length - 1] ^= 1; // the last sample's last value
        OriginCounters counters = new OriginCounters("n1");
        OriginCheck check = checkerFor(ca, n2, counters);
        List<SealedEntry> received = SealedCodec.decode(body);
        assertThat(received).hasSize(10);
        assertThat(received).allSatisfy(s -> assertThat(check.refusal(s, "n2")).isEqualTo(Refusal.BAD_SIGNATURE));
    }
}
