package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sync.seals.awaiting} counts a node's entries that its peers hold under pair tags only:
 * they cannot relay them until the seal comes. Real nodes on loopback multicast; the writer's
 * sealer holds the heartbeats' signatures until the test lets them run.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AwaitingSealTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void entriesSentUnderTagsAreCountedUntilTheirSealIsSent() throws Exception {
        List<Runnable> held = new CopyOnWriteArrayList<>();
        try (InProcessCluster c = InProcessCluster.start(2)) {
            c.stop(1);
            c.sealWith(node -> node.equals("n1") ? held::add : null);
            c.restart(1);
            c.sealWith(null);
            c.awaitConverged(WAIT);
            InProcessCluster.Node n1 = c.node(1);

            for (int i = 0; i < 5; i++) {
                n1.cdb().putObject(ObjectKey.of(ObjectType.ALARM, "a" + i), null, Json.object().put("i", i), null).await().atMost(WAIT);
            }
            c.awaitConverged(WAIT); // n2 holds them, under tags
            Eventually.await(WAIT, () -> !held.isEmpty(), "n1's heartbeat handed its seal to the sealer");
            assertThat(n1.sync().stats().get("sync.seals.awaiting")).as("n1's entries n2 cannot relay yet").isGreaterThanOrEqualTo(5);

            Eventually.await(WAIT, () -> {
                while (!held.isEmpty()) {
                    held.remove(0).run(); // signs, and hands the seal back to the sync thread to send
                }
                return n1.sync().stats().get("sync.seals.awaiting") == 0;
            }, "nothing of n1's is held under tags only once its seals are signed and sent");
        }
    }
}
