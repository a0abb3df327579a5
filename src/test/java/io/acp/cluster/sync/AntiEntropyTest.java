package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void aPullOfTheWrongSizeIsRejected() {
        AntiEntropy server = new AntiEntropy(filled(1), new Random(1), 20_000);
        assertThatThrownBy(() -> server.answer(new byte[100], 1300, entries -> List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
