package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.InProcessCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A partition healing between two real nodes (loopback multicast) that hold a state large enough
 * for leaf-level comparison: what the repair sends follows what differs, not the size of the
 * state. Compared bucket by bucket, each of the 100 changes here would bring its whole bucket
 * back (about 25 entries the receiver already holds); compared leaf by leaf, a change brings back
 * only the rare entry that shares its leaf.
 */
class LargeStateHealTest {

    private static final Duration CONVERGE = Duration.ofSeconds(60);

    @Test
    void aHealedPartitionResendsLittleBesidesWhatChanged() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(2)) {
            int objects = 6_000;
            for (int k = 0; k < objects; k++) {
                cluster.node(1 + k % 2).cdb().putObject(key(k), null, Json.object().put("i", k), null).await().atMost(Duration.ofSeconds(5));
            }
            cluster.awaitConverged(CONVERGE);
            assertThat(cluster.node(1).sync().digest().entries()).isGreaterThan(AntiEntropy.LEAVES_MIN_ENTRIES);

            cluster.partition(Set.of("n1"));
            List<ObjectEntry> changed = new ArrayList<>();
            for (int c = 0; c < 50; c++) {
                for (int side = 0; side < 2; side++) {
                    int k = (c * 2 * 59 + side) % objects; // spread over the state; each node changes objects it wrote
                    changed.add(cluster.node(1 + side).cdb().putObject(key(k), null, Json.object().put("i", k).put("changed", true), null)
                            .await().atMost(Duration.ofSeconds(5)));
                }
            }
            Thread.sleep(1_500); // past the settling horizon: the changes count as lost, not in flight
            long ignoredBefore = ignored(cluster);
            cluster.heal();
            cluster.awaitConverged(CONVERGE);

            for (ObjectEntry e : changed) {
                for (InProcessCluster.Node n : cluster.nodes()) {
                    assertThat(n.cdb().entry(e.key()).orElseThrow().version()).as("%s on %s", e.key(), n.id).isEqualTo(e.version());
                }
            }
            long resent = ignored(cluster) - ignoredBefore;
            assertThat(resent).as("entries the nodes received again during the repair (bucket by bucket: about 2,500)").isLessThan(500);
        }
    }

    private static long ignored(InProcessCluster cluster) {
        return cluster.nodes().stream().mapToLong(n -> n.sync().counters().snapshot().get("sync.entries.ignored")).sum();
    }

    private static ObjectKey key(int k) {
        return ObjectKey.of(ObjectType.SYSTEM, "obj-" + k);
    }
}
