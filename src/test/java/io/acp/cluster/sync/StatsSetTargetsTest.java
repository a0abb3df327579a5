package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.StatsTarget;
import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.SealedCodec;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.model.StatsEntry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The targets kept for the samples of peers' stats sets: found again by position, made anew where a key differs. */
class StatsSetTargetsTest {

    @TempDir
    static Path dir;

    /** One author for every test: the targets are kept per author, and each test starts a new {@link StatsSetTargets}. */
    private static NodeSigner n2;

    @BeforeAll
    static void signer() {
        n2 = StatsSetSamples.n2(dir);
    }


    /** A set as a receiver decodes it: every sample shares the set's seal instance. */
    private List<SealedEntry> received(long time, int part, int parts, List<StatsEntry> in) {
        SealedEntry sealed = StatsSetSamples.sealed(n2, time, part, parts, in);
        List<SealedEntry> out = SealedCodec.decode(SealedCodec.encode(sealed));
        assertThat(out).hasSize(in.size()).allSatisfy(s -> assertThat(s.seal()).isSameAs(out.get(0).seal()));
        return out;
    }

    private static List<StatsTarget> targets(StatsSetTargets kept, List<SealedEntry> set) {
        List<StatsTarget> out = new ArrayList<>();
        for (SealedEntry s : set) {
            StatsTarget t = kept.of(s, s.entry().key());
            assertThat(t.isFor(s.entry().key())).isTrue();
            out.add(t);
        }
        return out;
    }

    @Test
    void theNextSetOfAPartFindsTheSameTargetsAndAnotherPartItsOwn() {
        StatsSetTargets kept = new StatsSetTargets(node -> true);
        List<StatsTarget> first = targets(kept, received(100, 1, 3, StatsSetSamples.of(60, 100, 1, 3)));
        List<StatsTarget> otherPart = targets(kept, received(100, 2, 3, StatsSetSamples.of(60, 100, 2, 3)));
        List<StatsTarget> second = targets(kept, received(200, 1, 3, StatsSetSamples.of(60, 200, 1, 3)));

        assertThat(first).hasSizeGreaterThan(5);
        for (int i = 0; i < first.size(); i++) {
            assertThat(second.get(i)).isSameAs(first.get(i));
        }
        assertThat(otherPart).doesNotContainAnyElementsOf(first);
        assertThat(targets(kept, received(300, 2, 3, StatsSetSamples.of(60, 300, 2, 3)))).containsExactlyElementsOf(otherPart);
        assertThat(kept.authors()).isEqualTo(1);
    }

    @Test
    void aSeriesGoneFromTheMiddleGivesTheSamplesAfterItTargetsForTheirOwnKeys() {
        StatsSetTargets kept = new StatsSetTargets(node -> true);
        List<StatsEntry> all = StatsSetSamples.of(60, 100, 0, 3);
        List<StatsTarget> before = targets(kept, received(100, 0, 3, all));
        List<StatsEntry> fewer = new ArrayList<>(StatsSetSamples.of(60, 200, 0, 3));
        fewer.remove(2);
        List<StatsTarget> after = targets(kept, received(200, 0, 3, fewer));

        assertThat(after.subList(0, 2)).containsExactlyElementsOf(before.subList(0, 2));
        for (int i = 2; i < after.size(); i++) {
            assertThat(after.get(i).key()).isEqualTo(fewer.get(i).key());
        }
    }

    @Test
    void aNewSplitOrAForgottenAuthorStartsAfresh() {
        StatsSetTargets kept = new StatsSetTargets(node -> true);
        List<StatsTarget> threeParts = targets(kept, received(100, 0, 3, StatsSetSamples.of(60, 100, 0, 3)));
        List<StatsTarget> fourParts = targets(kept, received(200, 0, 4, StatsSetSamples.of(60, 200, 0, 4)));
        assertThat(fourParts).doesNotContainAnyElementsOf(threeParts);
        List<StatsTarget> again = targets(kept, received(300, 0, 4, StatsSetSamples.of(60, 300, 0, 4)));
        assertThat(again).containsExactlyElementsOf(fourParts);

        kept.forget("n2");
        assertThat(kept.authors()).isZero();
        assertThat(targets(kept, received(400, 0, 4, StatsSetSamples.of(60, 400, 0, 4)))).doesNotContainAnyElementsOf(fourParts);
    }
}
