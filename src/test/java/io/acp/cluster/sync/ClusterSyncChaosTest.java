package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.ChangeFilter;
import io.acp.model.ObjectEntry;
import io.acp.model.Version;
import io.acp.testing.FaultyTransport.FaultPlan;
import io.acp.testing.InProcessCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Everything at once, seeded: loss, duplication and delay on every node while all nodes write and
 * nodes restart (reloading their journals); then the faults stop. The fault lab's oracles hold throughout or
 * at the end: versions never go backwards, every acknowledged write is everywhere, digests agree.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterSyncChaosTest {

    @Test
    void writesUnderLossDuplicationDelayAndRestartsConverge() throws Exception {
        Random random = new Random(20261124);
        // journaled nodes: an acknowledged write is durable, so a restart must not lose it
        try (InProcessCluster cluster = InProcessCluster.startJournaled(5)) {
            List<String> backwards = new CopyOnWriteArrayList<>();
            watchVersions(cluster, backwards);
            cluster.faults(new FaultPlan(10, 10, 20, 30));
            List<ObjectEntry> acked = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                acked.addAll(ClusterSyncTest.writeConcurrently(cluster, "chaos" + round, 15));
                int victim = 1 + random.nextInt(5);
                cluster.stop(victim);
                acked.addAll(ClusterSyncTest.writeConcurrently(cluster, "without" + round, 5));
                cluster.restart(victim);
                cluster.node(victim).faults().plan(new FaultPlan(10, 10, 20, 30));
                watchVersions(cluster.node(victim), backwards);
            }
            cluster.faults(FaultPlan.NONE);
            List<io.acp.model.ObjectKey> keys = new ArrayList<>();
            cluster.nodes().forEach(n -> keys.add(io.acp.model.ObjectKey.of(io.acp.model.ObjectType.NODE, n.id)));
            io.acp.testing.Eventually.await(Duration.ofSeconds(30), cluster::converged,
                    () -> cluster.describe() + io.acp.testing.CdbContents.differences(cluster.runningNodes(), keys));
            ClusterSyncTest.assertEveryNodeHolds(cluster, acked);
            ClusterSyncTest.assertSameContents(cluster, acked);
            assertThat(backwards).isEmpty();
        }
    }

    private static void watchVersions(InProcessCluster cluster, List<String> backwards) {
        cluster.nodes().forEach(n -> watchVersions(n, backwards));
    }

    /** Records any change whose version is not newer than the last one seen for its slot on that node. */
    private static void watchVersions(InProcessCluster.Node n, List<String> backwards) {
        Map<String, Version> highest = new ConcurrentHashMap<>();
        n.cdb().changes(ChangeFilter.ALL).subscribe().with(e -> {
            String slot = e.kind() + " " + e.key() + (e.kind() == io.acp.model.Entry.Kind.OBJECT ? "" : " " + e.node());
            Version before = highest.put(slot, e.version());
            if (before != null && !e.version().isNewerThan(before)) {
                backwards.add(n.id + " " + slot + ": " + before + " then " + e.version());
            }
        });
    }
}
