package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * In a small group a node's stats reach its peers under pair tags, and its heartbeat seals them as
 * the stats sets of their parts (docs/protocol.md, "Stats sets"): the peers take the sets, and relay
 * the samples under them to a node that joins after the author is gone. Real nodes on loopback
 * multicast.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HeartbeatStatsSetsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int SERIES = 40;

    @Test
    void theHeartbeatSealsStatsAsSetsThatPeersRelayOnceTheAuthorIsGone() throws Exception {
        try (InProcessCluster c = InProcessCluster.start(3)) {
            c.awaitConverged(WAIT);
            InProcessCluster.Node n1 = c.node(1);
            Eventually.await(WAIT, () -> n1.cdb().readiness() == io.acp.cluster.Readiness.READY, "n1 holds the cluster's state");
            long setsBefore = c.node(2).sync().stats().get("sync.stats-sets.accepted");
            for (int i = 0; i < SERIES; i++) {
                n1.cdb().putStats(key(i), Map.of("cpu", i / 100.0, "mem", (double) i));
            }
            c.awaitConverged(WAIT);
            // parts of 16 series: 40 series make 3 sets, against 40 single seals before
            Eventually.await(WAIT, () -> c.node(2).sync().stats().get("sync.stats-sets.accepted") >= setsBefore + 3,
                    "n2 took n1's heartbeat seal as stats sets");
            assertThat(n1.sync().stats().get("sync.seals.awaiting")).isZero();

            c.stop(1); // its peers hold its stats under the sets' seals: they keep them and relay them
            InProcessCluster.Node late = c.join();
            Eventually.await(WAIT, () -> {
                for (int i = 0; i < SERIES; i++) {
                    if (late.cdb().stats(key(i), "n1").isEmpty()) {
                        return false;
                    }
                }
                return true;
            }, "the node that joined holds every series of n1, relayed by n2 and n3");
            assertThat(late.cdb().stats(key(7), "n1").get(0).values()).containsEntry("mem", 7.0);
        }
    }

    private static ObjectKey key(int i) {
        return ObjectKey.of(ObjectType.SYSTEM, "vm" + i);
    }
}
