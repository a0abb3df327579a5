package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.wire.StatsSetCodec;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a sealed flush makes of this node's stats: the whole of each part a flushed sample falls in. */
class OwnStatsSetsTest {

    private static List<StatsEntry> samplesOf(OwnStatsSets.Flush flush) {
        List<StatsEntry> out = new ArrayList<>();
        for (OwnStatsSets.Leaf leaf : flush.sets()) {
            out.addAll(StatsSetCodec.decodeOne(ByteBuffer.wrap(leaf.encoded())).samples());
        }
        return out;
    }

    @Test
    void aFlushSendsEverySeriesOfThePartsItsSamplesFallInAndANewSplitResendsAll() {
        try (Cdb cdb = Cdb.inMemory("n1")) {
            OwnStatsSets sets = new OwnStatsSets("n1", cdb);
            List<StatsEntry> first = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                first.add(cdb.putStats(ObjectKey.of(ObjectType.SYSTEM, "vm-" + i), Map.of("cpu", (double) i)));
            }
            OwnStatsSets.Flush all = sets.flush(first, 1);
            assertThat(all.single()).isEmpty();
            assertThat(all.sets()).hasSize(StatsSetCodec.partsFor(40));
            assertThat(samplesOf(all)).containsExactlyInAnyOrderElementsOf(first);

            StatsEntry one = cdb.putStats(first.get(7).key(), Map.of("cpu", 99.0));
            OwnStatsSets.Flush again = sets.flush(List.of(one), 2);
            int part = StatsSetCodec.partOf(one.key(), StatsSetCodec.partsFor(40));
            assertThat(again.sets()).hasSize(1);
            assertThat(StatsSetCodec.header(again.sets().get(0).encoded())).isEqualTo(new StatsSetCodec.Header(2, part, 3));
            List<StatsEntry> expected = new ArrayList<>();
            for (StatsEntry s : first) {
                if (StatsSetCodec.partOf(s.key(), 3) == part) {
                    expected.add(s.key().equals(one.key()) ? one : s);
                }
            }
            assertThat(samplesOf(again)).as("the current sample of every series of the part").containsExactlyInAnyOrderElementsOf(expected);

            // a series this node reported before a restart, given back by a peer, stays in its part's sets
            StatsEntry givenBack = cdb.putStats(ObjectKey.of(ObjectType.SYSTEM, "vm-old"), Map.of("cpu", 1.0));
            sets.seen(givenBack.key());
            StatsEntry next = cdb.putStats(first.get(0).key(), Map.of("cpu", 5.0));
            List<StatsEntry> sent = samplesOf(sets.flush(List.of(next), 3));
            assertThat(sent).as("41 series are still 3 parts: only the flushed sample's part goes").contains(next)
                    .allSatisfy(s -> assertThat(StatsSetCodec.partOf(s.key(), 3)).isEqualTo(StatsSetCodec.partOf(next.key(), 3)));
            int oldPart = StatsSetCodec.partOf(givenBack.key(), 3);
            StatsEntry ofOldPart = first.stream().filter(s -> StatsSetCodec.partOf(s.key(), 3) == oldPart).findFirst().orElseThrow();
            StatsEntry touch = cdb.putStats(ofOldPart.key(), Map.of("cpu", 6.0));
            assertThat(samplesOf(sets.flush(List.of(touch), 4))).contains(givenBack, touch);
        }
    }
}
