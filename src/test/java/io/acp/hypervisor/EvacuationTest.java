package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import io.acp.testing.WithVertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code acp node evacuate} between three real nodes in one JVM (each with its CDB shared by cluster
 * sync, its own libvirt test driver, its API and its agent): n1 is emptied by the rules of
 * {@link EvacuationTargets}, what cannot move is named with its rule, n1 stays unschedulable for
 * create and migration until it is resumed.
 */
class EvacuationTest extends WithVertx {

    private static final Duration SYNC = Duration.ofSeconds(15);
    private static final double MIB = 1024.0 * 1024.0;

    @TempDir
    Path dir;

    private InProcessCluster cluster;
    private AgentNode n1;
    private AgentNode n2;
    private AgentNode n3;

    @BeforeEach
    void start() throws Exception {
        cluster = InProcessCluster.start(3);
        n1 = AgentNode.start(vertx, "n1", dir.resolve("n1"), cluster.node(1)::cdb, null);
        n2 = AgentNode.start(vertx, "n2", dir.resolve("n2"), cluster.node(2)::cdb, n1);
        n3 = AgentNode.start(vertx, "n3", dir.resolve("n3"), cluster.node(3)::cdb, n1);
        // What each node's framework and network service publish: n3 has the most room but not network lan.
        publish(n1, 500, true);
        publish(n2, 700, true);
        publish(n3, 900, false);
        cluster.awaitConverged(SYNC);
    }

    private static void publish(AgentNode n, int freeMiB, boolean lan) {
        n.cdb().putStats(ObjectKey.of(ObjectType.NODE, n.id), Map.of("memAvailable", freeMiB * MIB, "cpus", 4.0, "cpu", 0.1));
        n.cdb().putMeta(ObjectKey.of(ObjectType.SERVICE, n.id + ":hypervisor"), Json.object().put("state", "running"));
        if (lan) {
            n.cdb().putMeta(ObjectKey.of(ObjectType.NETWORK, "lan"), Json.object().put("state", "up").put("bridge", "acpbr-lan"));
        }
    }

    @AfterEach
    void stop() {
        for (AgentNode n : new AgentNode[] {n3, n2, n1}) {
            if (n != null) {
                n.close();
            }
        }
        cluster.close();
    }

    private static ObjectNode create(String id, boolean start, ObjectNode spec) {
        ObjectNode args = Json.object().put("id", id).put("start", start);
        args.set("spec", spec.put("vcpus", 1).put("memory", 128).put("node", "n1"));
        return args;
    }

    private static String assignedIn(AgentNode n, String id) {
        return n.cdb().object(SystemReports.key(id)).map(o -> o.spec().path("node").asText()).orElse(null);
    }

    private static SystemState stateOn(AgentNode n, String id) {
        return n.node().libvirt().status(id).map(DomainStatus::state).orElse(null);
    }

    private static JsonNode nodeSpec(AgentNode n, String node) {
        return n.cdb().object(ObjectKey.of(ObjectType.NODE, node)).orElseThrow().spec();
    }

    private void awaitSeenEverywhere(String id) {
        Eventually.await(SYNC, () -> List.of(n1, n2, n3).stream().allMatch(n -> "n1".equals(assignedIn(n, id))), "every node sees " + id + " on n1");
    }

    @Test
    void everySystemThatCanMoveLeavesAndEachOneLeftIsNamedWithItsRule() {
        try (ApiClient api = n1.client()) {
            api.call("hypervisor", "create", create("cold", false, Json.object()));
            ObjectNode wired = Json.object();
            wired.putArray("interfaces").addObject().put("network", "lan");
            api.call("hypervisor", "create", create("wired", false, wired));
            api.call("hypervisor", "create", create("hot", true, Json.object()));
            ObjectNode disky = Json.object();
            disky.putArray("disks").addObject().put("path", "/var/lib/acp/disky.img");
            api.call("hypervisor", "create", create("disky", false, disky));
            List.of("cold", "wired", "hot", "disky").forEach(this::awaitSeenEverywhere);

            assertThatThrownBy(() -> api.call("hypervisor", "node-evacuate", Json.object().put("id", "n1")))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                        assertThat(e.getMessage()).contains("node n1 is unschedulable but not empty",
                                "system disky left (rule local-disk", "acp.hypervisor.migration-shared-storage=false",
                                "system hot left (rule migration-failed", "node n3 accepts no live migration")
                                .doesNotContain("system cold", "system wired");
                    });
        }
        // the least loaded node with the devices: n3 for a system without devices, n2 for one on network lan (n3 has none)
        assertThat(assignedIn(n1, "cold")).isEqualTo("n3");
        assertThat(stateOn(n3, "cold")).isEqualTo(SystemState.STOPPED);
        assertThat(assignedIn(n1, "wired")).isEqualTo("n2");
        assertThat(stateOn(n2, "wired")).isEqualTo(SystemState.STOPPED);
        assertThat(stateOn(n1, "cold")).as("nothing of a moved system stays on n1").isNull();
        assertThat(stateOn(n1, "hot")).as("a system whose move failed runs where it was").isEqualTo(SystemState.RUNNING);
        assertThat(assignedIn(n1, "disky")).isEqualTo("n1");

        JsonNode spec = nodeSpec(n1, "n1");
        assertThat(spec.path("unschedulable").path("by").asText()).isEqualTo("root");
        assertThat(spec.path("evacuation").path("state").asText()).isEqualTo("incomplete");
        assertThat(spec.path("evacuation").path("systems").path("cold").path("state").asText()).isEqualTo("moved");
        assertThat(spec.path("evacuation").path("systems").path("disky").path("rule").asText()).isEqualTo("local-disk");
        Eventually.await(SYNC, () -> nodeSpec(n2, "n1").has("unschedulable"), "n2 sees n1 unschedulable");

        // Resumable: once hot is stopped, evacuating again moves it (offline) and leaves only disky.
        try (ApiClient api = n1.client()) {
            api.call("hypervisor", "stop", Json.object().put("id", "hot"));
            assertThatThrownBy(() -> api.call("hypervisor", "node-evacuate", Json.object().put("id", "n1")))
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage())
                            .contains("system disky left (rule local-disk").doesNotContain("system hot"));
        }
        assertThat(assignedIn(n1, "hot")).isIn("n2", "n3");
        assertThat(nodeSpec(n1, "n1").path("evacuation").path("systems").path("cold").path("state").asText())
                .as("what moved before is still reported").isEqualTo("moved");
    }

    @Test
    void anUnschedulableNodeIsChosenByNoCreateOrMigrationUntilResumed() {
        try (ApiClient api = n1.client()) {
            JsonNode answer = api.call("hypervisor", "node-evacuate", Json.object().put("id", "n1"));
            assertThat(answer.path("unschedulable").asBoolean()).isTrue();
            assertThat(answer.path("evacuation").path("state").asText()).isEqualTo("done");
            Eventually.await(SYNC, () -> !NodeSchedule.schedulable(n2.cdb(), "n1"), "n2 sees n1 unschedulable");

            assertThatThrownBy(() -> api.call("hypervisor", "create", create("new", false, Json.object())))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                        assertThat(e.getMessage()).contains("rule unschedulable", "create system new on node n1", "acp node resume n1");
                    });
            assertThat(n1.cdb().object(SystemReports.key("new"))).as("nothing written").isEmpty();

            // placement without a node: never n1, though it is the node asked
            ObjectNode placed = Json.object().put("id", "placed");
            placed.set("spec", Json.object().put("vcpus", 1).put("memory", 64));
            assertThat(api.call("hypervisor", "create", placed).path("node").asText()).isEqualTo("n3");

            ObjectNode onN2 = create("away", false, Json.object());
            ((ObjectNode) onN2.get("spec")).put("node", "n2");
            api.call("n2", "hypervisor", "create", onN2);
            assertThatThrownBy(() -> api.call("n2", "hypervisor", "migrate", Json.object().put("id", "away").put("to", "n1")))
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage()).contains("rule unschedulable", "migrate system away"));
            assertThat(assignedIn(n2, "away")).isEqualTo("n2");

            assertThatThrownBy(() -> api.call("hypervisor", "node-evacuate", Json.object().put("id", "n1").put("to", "n1")))
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
            assertThatThrownBy(() -> api.call("hypervisor", "node-evacuate", Json.object().put("id", "n2")))
                    .as("a node evacuates itself only").isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage())
                            .contains("send the request to node n2"));

            // resume from another node: n1 takes systems again, and its meta follows at the next reconcile
            api.call("n2", "hypervisor", "node-resume", Json.object().put("id", "n1"));
            Eventually.await(SYNC, () -> NodeSchedule.schedulable(n1.cdb(), "n1"), "n1 sees itself schedulable");
            assertThat(nodeSpec(n1, "n1").has("evacuation")).isFalse();
            assertThat(api.call("hypervisor", "create", create("new", false, Json.object())).path("node").asText()).isEqualTo("n1");
        }
        n1.node().service().reconcileNow().await().atMost(SYNC);
        assertThat(n1.cdb().meta(ObjectKey.of(ObjectType.NODE, "n1"), "n1").get(0).values().path("schedulable").asText()).isEqualTo("true");
    }
}
