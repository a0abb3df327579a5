package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.cluster.Readiness;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HA manager's choice ({@link Placement#chooseAmong}) as the ownership leader n1 makes it, with
 * n3's reports merged into n1's CDB as cluster sync carries them: a node still syncing is not chosen,
 * the leader itself included (a leader just restarted would otherwise give a failed node's system
 * to itself and start it only once it has caught up, while n3 was ready all along).
 */
class FailoverPlacementTest {

    private static final double MIB = 1024.0 * 1024.0;
    private static final SystemSpec SPEC = SystemSpec.parse("havm", Json.object().put("vcpus", 1).put("memory", 64).put("ha", true));

    private Cdb n1;
    private Cdb n3;

    @BeforeEach
    void start() {
        n1 = Cdb.inMemory("n1");
        n3 = Cdb.inMemory("n3");
        publish(n1, "n1", 900); // the leader has the most room: by room alone it would choose itself
        publish(n3, "n3", 500);
        n3.readiness(Readiness.READY);
        for (ObjectKey key : List.of(ObjectKey.of(ObjectType.NODE, "n3"), ObjectKey.of(ObjectType.SERVICE, "n3:hypervisor"))) {
            n3.meta(key, "n3").forEach(n1::merge);
        }
        n3.stats(ObjectKey.of(ObjectType.NODE, "n3"), "n3").forEach(n1::merge);
    }

    @AfterEach
    void stop() {
        n1.close();
        n3.close();
    }

    private static void publish(Cdb cdb, String node, int freeMiB) {
        cdb.putStats(ObjectKey.of(ObjectType.NODE, node), Map.of("memAvailable", freeMiB * MIB, "cpus", 4.0, "cpu", 0.1));
        cdb.putMeta(ObjectKey.of(ObjectType.SERVICE, node + ":hypervisor"), Json.object().put("state", "running"));
    }

    private String choice(List<String> priority) {
        return Placement.chooseAmong(n1, "n1", SPEC, List.of("n1", "n3"), priority, System.currentTimeMillis()).orElse("none");
    }

    @Test
    void aLeaderStillSyncingGivesTheSystemToAReadyNodeNotToItself() {
        n1.readiness(Readiness.SYNCING);
        assertThat(choice(List.of())).as("n1 has more room but is syncing").isEqualTo("n3");
        assertThat(choice(List.of("n1", "n3"))).as("n1 first by priority but syncing").isEqualTo("n3");

        n1.readiness(Readiness.READY);
        assertThat(choice(List.of())).as("ready again: the most room").isEqualTo("n1");
    }

    @Test
    void withEveryCandidateSyncingNoneIsChosen() {
        n1.readiness(Readiness.SYNCING);
        n3.readiness(Readiness.SYNCING);
        n3.meta(ObjectKey.of(ObjectType.NODE, "n3"), "n3").forEach(n1::merge);
        assertThat(choice(List.of())).isEqualTo("none");
    }
}
