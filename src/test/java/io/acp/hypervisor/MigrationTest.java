package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import io.acp.testing.WithVertx;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration between two real nodes in one JVM: each with its CDB (shared by cluster sync over
 * loopback multicast), its hypervisor on its own libvirt test driver, its API and its agent. The
 * client asks n1; n1's hypervisor talks to n2's through n2's agent (mutual TLS), with the client's key.
 */
class MigrationTest extends WithVertx {

    private static final Duration SYNC = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private InProcessCluster cluster;
    private AgentNode n1;
    private AgentNode n2;

    @BeforeEach
    void start() throws Exception {
        cluster = InProcessCluster.start(2);
        n1 = AgentNode.start(vertx, "n1", dir.resolve("n1"), cluster.node(1)::cdb, null);
        n2 = AgentNode.start(vertx, "n2", dir.resolve("n2"), cluster.node(2)::cdb, n1);
        cluster.awaitConverged(SYNC);
    }

    @AfterEach
    void stop() {
        if (n2 != null) {
            n2.close();
        }
        if (n1 != null) {
            n1.close();
        }
        cluster.close();
    }

    private static ObjectNode create(String id) {
        ObjectNode args = Json.object().put("id", id).put("start", true);
        args.set("spec", Json.object().put("vcpus", 1).put("memory", 128).put("node", "n1"));
        return args;
    }

    private static ObjectNode migrate(String id, String to, boolean live) {
        return Json.object().put("id", id).put("to", to).put("live", live);
    }

    private SystemState stateOn(AgentNode n, String id) {
        return n.node().libvirt().status(id).map(DomainStatus::state).orElse(null);
    }

    private String assignedIn(AgentNode n, String id) {
        return n.cdb().object(SystemReports.key(id)).map(o -> o.spec().path("node").asText()).orElse(null);
    }

    @Test
    void aRunningSystemMovesOfflineAndRunsOnTheTarget() {
        try (ApiClient api = n1.client()) {
            api.call("hypervisor", "create", create("web"));

            JsonNode moved = api.call("hypervisor", "migrate", migrate("web", "n2", false));

            assertThat(moved.path("node").asText()).isEqualTo("n2");
            assertThat(moved.path("state").asText()).isEqualTo("running");
            assertThat(moved.path("from").asText()).isEqualTo("n1");
        }
        assertThat(stateOn(n2, "web")).isEqualTo(SystemState.RUNNING);
        assertThat(stateOn(n1, "web")).as("undefined on the source").isNull();
        assertThat(assignedIn(n1, "web")).isEqualTo("n2");
        Eventually.await(SYNC, () -> "n2".equals(assignedIn(n2, "web")), "the new assignment reaches n2");
        // Both reconciles leave it alone now: n2 owns it, n1 has no copy.
        n1.node().service().reconcileNow().await().atMost(SYNC);
        n2.node().service().reconcileNow().await().atMost(SYNC);
        assertThat(stateOn(n2, "web")).isEqualTo(SystemState.RUNNING);
        assertThatThrownBy(() -> n1.node().systems().start("web").await().atMost(SYNC))
                .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.getMessage()).contains("assigned to node n2"));
    }

    /** An offline move reports its four steps to the task log (the API service's), each with what it does. */
    @Test
    void anOfflineMoveReportsItsStepsAsItsProgress() {
        java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        n1.node().systems().reportProgressTo((op, object, p) -> seen.add(op + " " + object + " " + p.done() + "/" + p.total() + " " + p.unit()
                + " " + p.phase()));
        try (ApiClient api = n1.client()) {
            api.call("hypervisor", "create", create("steps"));
            api.call("hypervisor", "migrate", migrate("steps", "n2", false));
        }
        assertThat(seen).containsExactly(
                "hypervisor.migrate system/steps 0/4 steps preparing on node n2",
                "hypervisor.migrate system/steps 1/4 steps shutting down on node n1",
                "hypervisor.migrate system/steps 2/4 steps assigning to node n2",
                "hypervisor.migrate system/steps 3/4 steps confirming on node n2");
    }

    @Test
    void aStoppedSystemMovesAndStaysStopped() {
        try (ApiClient api = n1.client()) {
            api.call("hypervisor", "create", create("cold"));
            api.call("hypervisor", "stop", Json.object().put("id", "cold"));

            assertThat(api.call("hypervisor", "migrate", migrate("cold", "n2", false)).path("state").asText()).isEqualTo("stopped");
            Eventually.await(SYNC, () -> "n2".equals(assignedIn(n2, "cold")), "the new assignment reaches n2");
            assertThat(api.call("n2", "hypervisor", "start", Json.object().put("id", "cold")).path("state").asText())
                    .as("started on its new node through the agent").isEqualTo("running");
        }
        assertThat(stateOn(n1, "cold")).isNull();
        assertThat(stateOn(n2, "cold")).isEqualTo(SystemState.RUNNING);
    }

    @Test
    void aTargetThatRefusesLeavesTheSystemRunningOnTheSource() {
        n2.node().libvirt().define(DomainXml.of(SystemSpec.parse("busy", Json.object().put("vcpus", 1).put("memory", 64)), "test"));
        n2.node().libvirt().start("busy"); // n2 already runs a domain of that name: prepare refuses
        try (ApiClient api = n1.client()) {
            api.call("hypervisor", "create", create("busy"));

            assertThatThrownBy(() -> api.call("hypervisor", "migrate", migrate("busy", "n2", false)))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                        assertThat(e.getMessage()).contains("migration of system busy from node n1 to node n2 failed at prepare",
                                "node n2 already runs a domain named busy", "stays on node n1");
                    });
        }
        assertThat(stateOn(n1, "busy")).isEqualTo(SystemState.RUNNING);
        assertThat(assignedIn(n1, "busy")).isEqualTo("n1");
        assertThat(stateOn(n2, "busy")).as("n2's own domain untouched").isEqualTo(SystemState.RUNNING);
    }

    @Test
    void aTargetThatCannotStartItIsUndoneAndTheSystemRunsOnTheSourceAgain() {
        n2.node().libvirt().failStart = new AcpException(ErrorCode.INTERNAL, "libvirt on node n2 refused to start domain web: no room");
        try (ApiClient api = n1.client()) {
            api.call("hypervisor", "create", create("web"));

            assertThatThrownBy(() -> api.call("hypervisor", "migrate", migrate("web", "n2", false)))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INTERNAL);
                        assertThat(e.getMessage()).contains("failed at confirm on node n2", "no room", "stays on node n1");
                    });
        }
        assertThat(stateOn(n1, "web")).isEqualTo(SystemState.RUNNING);
        assertThat(assignedIn(n1, "web")).isEqualTo("n1");
        assertThat(stateOn(n2, "web")).as("the target's copy is removed").isNull();
    }

    @Test
    void liveMigrationOnTheTestDriverFailsCleanly() {
        try (ApiClient api = n1.client()) {
            api.call("hypervisor", "create", create("hot"));

            assertThatThrownBy(() -> api.call("hypervisor", "migrate", migrate("hot", "n2", true)))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT);
                        assertThat(e.getMessage()).contains("node n2 accepts no live migration", "stays on node n1");
                    });
        }
        assertThat(stateOn(n1, "hot")).isEqualTo(SystemState.RUNNING);
        assertThat(stateOn(n2, "hot")).isNull();
    }

    @Test
    void anUnreachableTargetLeavesTheSystemWhereItWas() {
        try (ApiClient api = n1.client()) {
            api.call("hypervisor", "create", create("web"));

            assertThatThrownBy(() -> api.call("hypervisor", "migrate", migrate("web", "n9", false)))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("node n9", "stays on node n1");
                    });
        }
        assertThat(stateOn(n1, "web")).isEqualTo(SystemState.RUNNING);
    }
}
