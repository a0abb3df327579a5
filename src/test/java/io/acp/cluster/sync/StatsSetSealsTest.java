package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.wire.StatsSetCodec;
import io.acp.model.StatsEntry;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seals kept of an author's stats sets: the newest set of each part seals exactly the samples it holds. */
class StatsSetSealsTest {

    @TempDir
    Path dir;

    private NodeSigner n2;

    @BeforeEach
    void signer() {
        n2 = StatsSetSamples.n2(dir);
    }

    private static List<StatsEntry> samples(int objects, long time, int part, int parts) {
        return StatsSetSamples.of(objects, time, part, parts);
    }


    /** A sample of the set as a receiver decodes it: every sample of a set carries its bytes and seal. */
    private SealedEntry sealed(long time, int part, int parts, List<StatsEntry> in) {
        return StatsSetSamples.sealed(n2, time, part, parts, in);
    }

    @Test
    void theNewestSetOfAPartSealsExactlyItsSamplesAndAnOlderOneChangesNothing() {
        StatsSetSeals seals = new StatsSetSeals();
        List<StatsEntry> old = samples(40, 100, 1, 3);
        List<StatsEntry> current = samples(40, 200, 1, 3);
        seals.keep(sealed(100, 1, 3, old));
        seals.keep(sealed(200, 1, 3, current));
        seals.keep(sealed(150, 1, 3, samples(40, 150, 1, 3))); // arrives late: older than the one kept

        for (StatsEntry s : current) {
            SealedEntry found = seals.sealOf(s);
            assertThat(found).as("%s", s.key()).isNotNull();
            assertThat(found.entry()).isEqualTo(s);
            assertThat(StatsSetCodec.header(found.encoded()).time()).isEqualTo(200);
        }
        assertThat(seals.sealOf(current.get(0)).encoded()).as("one copy of the set for all its samples")
                .isSameAs(seals.sealOf(current.get(1)).encoded());
        assertThat(seals.sealOf(old.get(0))).as("a sample the newest set does not hold").isNull();
        StatsEntry otherPart = samples(40, 200, 0, 3).get(0);
        assertThat(seals.sealOf(otherPart)).as("a part no set was kept of").isNull();
    }

    @Test
    void aSetOfANewerSplitReplacesEveryPartOfTheOlderOne() {
        StatsSetSeals seals = new StatsSetSeals();
        List<StatsEntry> before = samples(40, 100, 0, 3);
        seals.keep(sealed(100, 0, 3, before));
        List<StatsEntry> after = samples(40, 200, 0, 4);
        seals.keep(sealed(200, 0, 4, after));
        seals.keep(sealed(150, 2, 3, samples(40, 150, 2, 3))); // of the older split: ignored

        assertThat(seals.sealOf(before.get(0))).isNull();
        assertThat(seals.sealOf(after.get(0))).isNotNull();
        assertThat(seals.sealOf(samples(40, 150, 2, 3).get(0))).isNull();
    }

    @Test
    void aKeptSetIsCopiedSoTheReceivedBytesMayBeReused() {
        StatsSetSeals seals = new StatsSetSeals();
        List<StatsEntry> in = samples(20, 100, 0, 1);
        SealedEntry s = sealed(100, 0, 1, in);
        byte[] received = s.encoded();
        byte[] before = received.clone();
        seals.keep(s);
        java.util.Arrays.fill(received, (byte) 0);
        assertThat(seals.sealOf(in.get(3)).encoded()).isEqualTo(before);
    }
}
