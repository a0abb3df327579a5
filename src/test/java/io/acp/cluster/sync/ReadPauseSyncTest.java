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
 * Real nodes on loopback multicast: a node asks its transport to rest between rounds of reads only
 * where every flush is sealed (here because a member publishes itself as an L3 bridge, as in a group
 * too large for pair tags), never where writes go under pair tags and wake the sync thread at once;
 * and with the rest the group still converges.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReadPauseSyncTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void theIoThreadRestsBetweenReadsOnlyWhereEveryFlushIsSealedAndTheGroupStillConverges() {
        try (InProcessCluster c = InProcessCluster.start(3)) {
            c.awaitConverged(WAIT);
            for (InProcessCluster.Node n : c.nodes()) {
                Eventually.await(WAIT, () -> n.faults().pauseBetweenReads() == 0, () -> n.id + " reads without a rest under pair tags: "
                        + n.faults().pauseBetweenReads());
            }

            c.node(1).sync().relayBridgedEntries(); // n1 is a bridge now: every member seals every flush once it knows
            for (InProcessCluster.Node n : c.nodes()) {
                Eventually.await(WAIT, () -> n.faults().pauseBetweenReads() == Inbox.READ_PAUSE_NANOS,
                        () -> n.id + " rests between reads where flushes are sealed: " + n.faults().pauseBetweenReads());
            }
            for (InProcessCluster.Node n : c.nodes()) {
                for (int i = 0; i < 20; i++) {
                    n.cdb().putStats(ObjectKey.of(ObjectType.SYSTEM, "rest-" + n.id + "-" + i), Map.of("cpu", i / 10.0));
                }
            }
            c.awaitConverged(WAIT);
            for (InProcessCluster.Node n : c.nodes()) {
                for (InProcessCluster.Node author : c.nodes()) {
                    assertThat(n.cdb().stats(ObjectKey.of(ObjectType.SYSTEM, "rest-" + author.id + "-19"), author.id))
                            .as("%s holds %s's stats", n.id, author.id).isNotEmpty();
                }
            }
        }
    }
}
