package io.acp.cluster.sync;

import io.acp.cluster.sync.origin.NodeSigner;
import io.acp.cluster.sync.origin.SealedEntry;
import io.acp.cluster.sync.wire.StatsSetCodec;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import io.acp.testing.TestPki;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Stats sets of node n2 for the sync's unit tests: its key, the samples of one part of its series, and that part's set sealed. */
final class StatsSetSamples {

    private StatsSetSamples() {
    }

    /** Node n2's signer, under a new cluster CA in {@code dir}. */
    static NodeSigner n2(Path dir) {
        return TestPki.signer(TestPki.newCluster(dir.resolve("ca"), "test"), dir.resolve("n2"), "n2");
    }

    /** The samples of n2's series {@code vm-0} … {@code vm-(objects-1)} that fall in {@code part} of {@code parts}, all at {@code time}. */
    static List<StatsEntry> of(int objects, long time, int part, int parts) {
        List<StatsEntry> out = new ArrayList<>();
        for (int i = 0; i < objects; i++) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "vm-" + i);
            if (StatsSetCodec.partOf(key, parts) == part) {
                out.add(new StatsEntry(key, "n2", Map.of("cpu", (double) time), new Version(time, "n2")));
            }
        }
        return out;
    }

    /** The first sample of the set of {@code in}, sealed by n2: it carries the set's bytes and seal. */
    static SealedEntry sealed(NodeSigner n2, long time, int part, int parts, List<StatsEntry> in) {
        return n2.seal(List.of(), List.of(in.get(0)), List.of(StatsSetCodec.encode("n2", time, part, parts, in))).get(0);
    }
}
