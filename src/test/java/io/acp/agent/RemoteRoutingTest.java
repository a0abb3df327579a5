package io.acp.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.api.client.ApiEndpoint;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import io.acp.testing.WithVertx;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes of one cluster in one JVM, each with its CDB, API and agent: a request to node A's
 * local API naming node B travels A → B's agent (mutual TLS, A's certificate) → B's services.
 */
class RemoteRoutingTest extends WithVertx {

    @TempDir
    Path dir;

    AgentStack a;
    AgentStack b;

    @BeforeEach
    void startTwoNodes() throws Exception {
        a = AgentStack.start(vertx, "a", dir.resolve("a"));
        // B joins A's cluster: its key and certificate come from A's CA (the manual join).
        ClusterPki.addNode(a.pki(), PkiFiles.in(dir.resolve("b/data")), "b", Duration.ofDays(30));
        b = AgentStack.start(vertx, "b", dir.resolve("b"));
        a.learnAddressOf(b);
    }

    @AfterEach
    void stop() {
        b.close();
        a.close();
    }

    private ApiClient clientOfA(String key) {
        return ApiClient.connect(new ApiEndpoint.Tcp("127.0.0.1", a.api.tcpPort()), key, Duration.ofSeconds(10));
    }

    @Test
    void aRequestForBIsAnsweredByB() {
        ObjectNode put = Json.object().put("type", "system").put("id", "only-on-b");
        put.set("spec", Json.object().put("vcpus", 1).put("memory", 64));
        try (ApiClient api = clientOfA(AgentStack.ADMIN_KEY)) {
            assertThat(api.call("b", "api", "ping", null).path("node").asText()).isEqualTo("b");
            assertThat(api.call("a", "api", "ping", null).path("node").asText()).isEqualTo("a");
            api.call("b", "cluster", "put", put);
            ObjectNode get = Json.object().put("type", "system").put("id", "only-on-b");
            assertThat(api.call("b", "cluster", "get", get).path("spec").path("memory").asInt()).isEqualTo(64);
            assertThatThrownBy(() -> api.call(null, "cluster", "get", get))
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        }
        assertThat(b.cdb.object(ObjectKey.of(ObjectType.SYSTEM, "only-on-b"))).isPresent();
        assertThat(a.cdb.object(ObjectKey.of(ObjectType.SYSTEM, "only-on-b"))).isEmpty();
        assertThat(b.agent.connectionCount()).as("one pooled link from A").isEqualTo(1);
    }

    @Test
    void aRoutedChangeIsOneTaskRecordedByBUnderTheIdANamedAndFoundOnBoth() {
        ObjectNode put = Json.object().put("type", "system").put("id", "routed");
        put.set("spec", Json.object().put("vcpus", 1).put("memory", 64));
        try (ApiClient api = clientOfA(AgentStack.ADMIN_KEY)) {
            api.call("b", "cluster", "put", put);
            com.fasterxml.jackson.databind.JsonNode onB = api.call("b", "task", "list", null);
            assertThat(onB).hasSize(1);
            com.fasterxml.jackson.databind.JsonNode task = onB.get(0);
            assertThat(task.path("node").asText()).isEqualTo("b");
            assertThat(task.path("origin").asText()).isEqualTo("a");
            assertThat(task.path("user").asText()).isEqualTo("root");
            assertThat(task.path("state").asText()).isEqualTo("ok");
            assertThat(task.path("id").asText()).as("the id node a gave it").startsWith("a:");
            // a knows the task it routed before sync brings b's record (these two nodes do not sync)
            com.fasterxml.jackson.databind.JsonNode onA = api.call(null, "task", "show", Json.object().put("id", task.path("id").asText()));
            assertThat(onA.path("node").asText()).isEqualTo("b");
            assertThat(onA.path("state").asText()).isEqualTo("ok");
        }
        assertThat(a.cdb.objects(io.acp.cluster.ObjectQuery.ofType(ObjectType.TASK))).as("only b writes the task").isEmpty();
    }

    @Test
    void bAuthorizesTheRoutedRequestWithTheClientsKey() {
        try (ApiClient api = clientOfA(AgentStack.READER_KEY)) {
            assertThat(api.call("b", "api", "ping", null).path("pong").asBoolean()).isTrue();
            ObjectNode put = Json.object().put("type", "system").put("id", "x");
            put.set("spec", Json.object().put("vcpus", 1).put("memory", 64)); // a valid spec: only the reader's role may refuse it
            assertThatThrownBy(() -> api.call("b", "cluster", "put", put))
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
        }
        assertThat(b.cdb.objectCount()).isZero();
    }

    @Test
    void manyConcurrentRequestsShareOneLink() throws Exception {
        java.util.List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 8; t++) {
            Thread th = new Thread(() -> {
                try (ApiClient api = clientOfA(AgentStack.ADMIN_KEY)) {
                    for (int i = 0; i < 50; i++) {
                        if (api.call("b", "api", "ping", null).path("node").asText().equals("b")) {
                            ok.incrementAndGet();
                        }
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(30_000);
        }
        assertThat(ok.get()).isEqualTo(400);
        assertThat(b.agent.connectionCount()).isEqualTo(1);
    }

    @Test
    void anUnreachableNodeGetsAnErrorNamingItAndItsAddress() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        a.cdb.merge(io.acp.cluster.Cdb.inMemory("c").putMeta(ObjectKey.of(ObjectType.NODE, "c"),
                Json.object().put("agent", "127.0.0.1:" + closedPort)));
        try (ApiClient api = clientOfA(AgentStack.ADMIN_KEY)) {
            assertThatThrownBy(() -> api.call("c", "api", "ping", null))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("node c").contains("127.0.0.1:" + closedPort);
                    });
            assertThatThrownBy(() -> api.call("d", "api", "ping", null))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("node d").contains("no agent address");
                    });
            assertThat(api.call("b", "api", "ping", null).path("node").asText()).as("still routes").isEqualTo("b");
        }
    }

    @Test
    void aNodeDeadInTheMembershipViewIsRefusedAtOnceAndReachedAgainWhenAlive() {
        try (ApiClient api = clientOfA(AgentStack.ADMIN_KEY)) {
            a.cdb.putMeta(ObjectKey.of(ObjectType.NODE, "b"), Json.object().put("membership", "dead")); // a's view of b
            assertThatThrownBy(() -> api.call("b", "api", "ping", null))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("node b is dead in node a's membership view").contains("127.0.0.1:" + b.agentPort());
                    });
            a.cdb.putMeta(ObjectKey.of(ObjectType.NODE, "b"), Json.object().put("membership", "alive"));
            assertThat(api.call("b", "api", "ping", null).path("node").asText()).isEqualTo("b");
        }
    }

    @Test
    void aStaleAddressPointingAtAnotherNodeIsRefused() {
        // A believes node "e" is at B's agent: B's certificate names b, so A must not talk to it as e.
        a.cdb.merge(io.acp.cluster.Cdb.inMemory("e").putMeta(ObjectKey.of(ObjectType.NODE, "e"),
                Json.object().put("agent", "127.0.0.1:" + b.agentPort())));
        try (ApiClient api = clientOfA(AgentStack.ADMIN_KEY)) {
            assertThatThrownBy(() -> api.call("e", "api", "ping", null))
                    .isInstanceOfSatisfying(AcpException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                        assertThat(e.getMessage()).contains("certificate of node b, not of node e");
                    });
        }
    }

    @Test
    void aStoppedPeerFailsCleanlyAndAReturningOneIsReachedAgain() throws Exception {
        try (ApiClient api = clientOfA(AgentStack.ADMIN_KEY)) {
            assertThat(api.call("b", "api", "ping", null).path("node").asText()).isEqualTo("b");
            b.agent.stop().await().atMost(Duration.ofSeconds(10));
            assertThatThrownBy(() -> api.call("b", "api", "ping", null))
                    .isInstanceOfSatisfying(AcpException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
            b.agent.start(AgentStack.context("b")).await().atMost(Duration.ofSeconds(10));
            a.learnAddressOf(b);
            assertThat(api.call("b", "api", "ping", null).path("node").asText()).isEqualTo("b");
        }
    }
}
