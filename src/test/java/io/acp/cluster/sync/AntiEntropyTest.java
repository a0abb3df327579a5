package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.cluster.sync.origin.CertificateMeta;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.testing.TestPki;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.Version;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One pull-and-answer exchange between two indexes, without the network: bounded answers still converge. */
class AntiEntropyTest {

    private static StateIndex filled(int objects) {
        StateIndex index = new StateIndex();
        for (int i = 0; i < objects; i++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "s" + i);
            index.update(new ObjectEntry(key, null, Json.object().put("i", i), new Version(100 + i, "n1"), false));
            index.update(new MetaEntry(key, "n1", Json.object().put("state", "up"), new Version(5000 + i, "n1")));
        }
        return index;
    }

    @TempDir
    Path dir;

    @Test
    void answersAreBoundedAndRepeatedRoundsBringAnEmptyNodeToTheSameDigest() {
        StateIndex full = filled(1000);
        StateIndex empty = new StateIndex();
        AntiEntropy server = new AntiEntropy(full, new Random(1), 20_000);
        AntiEntropy client = new AntiEntropy(empty, new Random(2), 20_000);
        NodeSigner n1 = TestPki.signer(TestPki.newCluster(dir.resolve("ca"), "test"), dir.resolve("n1"), "n1");
        int rounds = 0;
        while (empty.root() != full.root()) {
            List<byte[]> answer = server.answer(client.pullBody(), 1300, n1::seal);
            assertThat(answer).isNotEmpty();
            assertThat(answer.stream().mapToInt(b -> b.length).sum()).isLessThanOrEqualTo(20_000);
            assertThat(answer).allMatch(b -> b.length <= 1300);
            answer.forEach(body -> SealedCodec.decode(body).forEach(s -> empty.update(s.entry())));
            assertThat(++rounds).as("rounds to converge").isLessThan(200);
        }
        assertThat(empty.size()).isEqualTo(2000);
        assertThat(server.answer(client.pullBody(), 1300, n1::seal)).as("nothing to send once equal").isEmpty();
    }

    /**
     * Regression (RejoinEmptyDiskIT): a node back on an empty disk refuses every entry sealed under
     * a certificate it has not learned, its own old one included, so the certificate metas must
     * come first in an answer, not only when its random half happens to pick them: here an answer
     * holds a few entries of more than a thousand, and every one leads with both certificates.
     */
    @Test
    void everyAnswerLeadsWithTheCertificateMetasThePullerLacks() {
        io.acp.security.PkiFiles ca = TestPki.newCluster(dir.resolve("ca"), "test");
        NodeSigner n1 = TestPki.signer(ca, dir.resolve("n1"), "n1");
        NodeSigner n2 = TestPki.signer(ca, dir.resolve("n2"), "n2");
        StateIndex full = filled(600);
        MetaEntry cert1 = new MetaEntry(CertificateMeta.key("n1", n1.keyId()), "n1", CertificateMeta.values(n1.certificate()), new Version(1, "n1"));
        MetaEntry cert2 = new MetaEntry(CertificateMeta.key("n2", n2.keyId()), "n2", CertificateMeta.values(n2.certificate()), new Version(2, "n2"));
        full.update(cert1);
        full.update(cert2);
        AntiEntropy server = new AntiEntropy(full, new Random(1), 3_000);
        AntiEntropy client = new AntiEntropy(new StateIndex(), new Random(2), 3_000);
        for (int round = 0; round < 20; round++) {
            List<byte[]> answer = server.answer(client.pullBody(), 1300, entries -> {
                List<io.acp.cluster.sync.origin.SealedEntry> sealed = new java.util.ArrayList<>();
                entries.forEach(e -> sealed.addAll((e.node().equals("n2") ? n2 : n1).seal(List.of(e))));
                return sealed;
            });
            List<io.acp.model.Entry> sent = answer.stream().flatMap(b -> SealedCodec.decode(b).stream()).map(s -> s.entry()).toList();
            assertThat(sent.size()).as("entries in answer %d", round).isLessThan(20);
            assertThat(sent.subList(0, 2)).as("answer %d", round).containsExactlyInAnyOrder(cert1, cert2);
        }
    }

    @Test
    void aPullOfTheWrongSizeIsRejected() {
        AntiEntropy server = new AntiEntropy(filled(1), new Random(1), 20_000);
        assertThatThrownBy(() -> server.answer(new byte[100], 1300, entries -> List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
