package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.wire.DropReason;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster secret rotated on running nodes through the two key slots: writes keep flowing at
 * every step, no datagram of a peer is dropped as forged, and afterwards the old secret is refused.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SecretRotationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String OLD = "in-process cluster secret 0123456789";
    private static final String NEW = "the rotated cluster secret 98765432";

    @Test
    void aRotationThroughTwoSlotsLosesNothingAndRetiresTheOldSecret() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3)) {
            write(cluster, "before");
            cluster.awaitConverged(WAIT);
            long forged = forged(cluster);

            cluster.nodes().forEach(n -> n.sync().useSecrets(OLD, Optional.of(NEW))); // 1: accept the new one too
            write(cluster, "step1");
            cluster.nodes().forEach(n -> n.sync().useSecrets(NEW, Optional.of(OLD))); // 2: send under the new one
            write(cluster, "step2");
            cluster.awaitConverged(WAIT);
            cluster.nodes().forEach(n -> n.sync().useSecrets(NEW, Optional.empty())); // 3: drop the old one
            write(cluster, "step3");
            cluster.awaitConverged(WAIT);

            assertThat(forged(cluster)).as("no peer datagram dropped as forged during the rotation").isEqualTo(forged);
            for (InProcessCluster.Node n : cluster.nodes()) {
                assertThat(n.cdb().objectCount()).as("objects on %s", n.id).isEqualTo(12);
            }

            // a node still on the old secret is now an outsider: its datagrams are dropped as forged
            try (InProcessCluster stale = InProcessCluster.start(1, cluster.settings().withSecret(OLD), "old", 9)) {
                Eventually.await(WAIT, () -> forged(cluster) > forged, "the old secret's datagrams are dropped");
                assertThat(cluster.node(1).sync().membership()).extracting(p -> p.node()).doesNotContain("old1");
            }
        }
    }

    private static void write(InProcessCluster cluster, String tag) {
        for (InProcessCluster.Node n : cluster.nodes()) {
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, tag + "-" + n.id);
            n.cdb().putObject(key, null, Json.object().put("tag", tag), null).await().atMost(WAIT);
        }
    }

    private static long forged(InProcessCluster cluster) {
        return cluster.nodes().stream().mapToLong(n -> n.sync().counters().droppedCount(DropReason.FORGED)).sum();
    }
}
