package io.acp.cluster.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.wire.StatsSetCodec;
import io.acp.model.Entry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import io.acp.testing.TestPki;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a bridge link sends of entries held under their authors' seals. */
class BridgeSealsTest {

    @TempDir
    Path dir;

    @Test
    void theSamplesOfOneStatsSetGoAsThatSetOnce() {
        var ca = TestPki.newCluster(dir.resolve("ca"), "test");
        NodeSigner n2 = TestPki.signer(ca, dir.resolve("n2"), "n2");
        NodeSigner bridge = TestPki.signer(ca, dir.resolve("b1"), "b1");
        List<StatsEntry> samples = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            samples.add(new StatsEntry(ObjectKey.of(ObjectType.SYSTEM, "vm-" + i), "n2", Map.of("cpu", 1.0), new Version(100 + i, "n2")));
        }
        SealedEntry set = n2.seal(List.of(), List.of(samples.get(0)), List.of(StatsSetCodec.encode("n2", 5, 0, 1, samples))).get(0);
        Map<Entry, SealedEntry> held = new HashMap<>();
        for (StatsEntry s : samples) {
            held.put(s, new SealedEntry(s, set.encoded(), set.seal())); // as the sync hands them out: one copy of the set
        }
        StatsEntry single = new StatsEntry(ObjectKey.of(ObjectType.NODE, "n2"), "n2", Map.of("load", 2.0), new Version(300, "n2"));
        SealedEntry alone = n2.seal(List.of(single)).get(0);
        held.put(single, alone);
        BridgeSeals seals = new BridgeSeals(bridge, e -> Optional.ofNullable(held.get(e)));

        List<Entry> asked = new ArrayList<>(samples.subList(0, 6));
        asked.add(single);
        asked.addAll(samples.subList(6, 12));
        List<SealedEntry> out = seals.seal(asked).sealed();

        assertThat(out).hasSize(2);
        assertThat(out.get(0).encoded()).isSameAs(set.encoded());
        assertThat(out.get(1)).isSameAs(alone);
    }

    @Test
    void anEntryOfAnotherNodeWhoseSealIsNotHeldComesBackUnsealedNotDropped() {
        var ca = TestPki.newCluster(dir.resolve("ca"), "test");
        NodeSigner bridge = TestPki.signer(ca, dir.resolve("b1"), "b1");
        StatsEntry own = new StatsEntry(ObjectKey.of(ObjectType.NODE, "b1"), "b1", Map.of("load", 1.0), new Version(100, "b1"));
        StatsEntry ofPeer = new StatsEntry(ObjectKey.of(ObjectType.NODE, "n2"), "n2", Map.of("load", 2.0), new Version(100, "n2"));
        BridgeSeals seals = new BridgeSeals(bridge, e -> Optional.empty());

        BridgeSeals.Sealing sealing = seals.seal(List.of(ofPeer, own));

        assertThat(sealing.sealed()).as("this node's own entry, sealed here").hasSize(1);
        assertThat(sealing.sealed().get(0).entry()).isEqualTo(own);
        assertThat(sealing.unsealed()).as("the peer's entry waits for the peer's seal").containsExactly(ofPeer);
    }
}
