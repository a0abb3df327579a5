package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.sync.SecretRotation;
import io.acp.cluster.sync.wire.DropReason;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import io.acp.security.ClusterSecretSlots;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster.rotate-secret} through the real API of two running sync nodes: an admin drives the
 * three steps on both and sync keeps going without a restart; the old secret is refused afterwards;
 * an operator's attempt is refused and changes nothing.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RotateSecretApiTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String OLD = "in-process cluster secret 0123456789";
    private static final String NEW = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    @TempDir
    Path dir;

    private Vertx vertx;
    private final List<ApiService> apis = new ArrayList<>();

    @BeforeEach
    void startVertx() {
        vertx = TestNode.nativeVertx();
    }

    @AfterEach
    void stop() {
        apis.forEach(a -> a.stop().await().atMost(WAIT));
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void anAdminRotatesTheSecretOnRunningNodesAndAnOperatorCannot() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(2)) {
            List<TestApiConfig> configs = new ArrayList<>();
            for (InProcessCluster.Node n : cluster.nodes()) {
                ClusterSecretSlots.in(n.dataDir).write(OLD, Optional.empty());
                TestNode.writeKeys(n.dataDir);
                TestApiConfig config = TestApiConfig.in(dir.resolve(n.id));
                ApiService api = new ApiService(config, n.id, n.dataDir, LocalServices.of(n.id, n::cdb)
                        .withSecretRotation(() -> new SecretRotation(n.id, ClusterSecretSlots.in(n.dataDir), n.sync())), null, vertx, "0");
                api.start(TestNode.context()).await().atMost(WAIT);
                apis.add(api);
                configs.add(config);
            }
            long forged = forged(cluster);

            // the attack: an operator key tries to push its own secret onto the node
            try (TestClient operator = TestClient.unix(configs.get(0).socket()).withKey(TestNode.OPERATOR_KEY)) {
                assertThat(operator.pingAnswers()).isTrue();
                Response r = operator.call("cluster", "rotate-secret", Json.object().put("step", "accept").put("secret", NEW));
                assertThat(r).isInstanceOfSatisfying(Response.Failure.class, f -> {
                    assertThat(f.code()).isEqualTo(ErrorCode.FORBIDDEN);
                    assertThat(f.message()).contains("rule roles").contains("cluster.rotate-secret").contains("admin");
                });
            }
            assertThat(ClusterSecretSlots.in(cluster.node(1).dataDir).current()).isEqualTo(OLD);
            assertThat(ClusterSecretSlots.in(cluster.node(1).dataDir).previous()).isEmpty();

            List<TestClient> admins = new ArrayList<>();
            for (TestApiConfig c : configs) {
                TestClient admin = TestClient.unix(c.socket()).withKey(TestNode.ADMIN_KEY);
                assertThat(admin.pingAnswers()).isTrue();
                admins.add(admin);
            }
            try {
                assertThat(admins.get(0).result("cluster", "rotate-secret", Json.object().put("step", "status")).path("node").asText())
                        .isEqualTo("n1");
                for (String step : List.of("accept", "send", "retire")) {
                    for (int i = 0; i < admins.size(); i++) {
                        var args = Json.object().put("step", step);
                        if (!step.equals("retire")) {
                            args.put("secret", NEW);
                        }
                        var done = admins.get(i).result("cluster", "rotate-secret", args);
                        assertThat(done.path("node").asText()).isEqualTo(cluster.node(i + 1).id);
                        assertThat(done.path("previous").asBoolean()).isEqualTo(!step.equals("retire"));
                    }
                }
            } finally {
                for (TestClient admin : admins) {
                    admin.close();
                }
            }
            for (InProcessCluster.Node n : cluster.nodes()) {
                assertThat(ClusterSecretSlots.in(n.dataDir).current()).as("pki/cluster.secret of %s", n.id).isEqualTo(NEW);
                assertThat(ClusterSecretSlots.in(n.dataDir).previous()).as("previous slot of %s", n.id).isEmpty();
            }

            // no restart: writes cross both ways under the new secret. Datagrams a node sealed under
            // the old secret just before its send step may still be queued when its peer retires that
            // secret, and are dropped (anti-entropy repairs them); so the count is compared from the
            // moment a write has crossed each way, which the transport delivers after anything older.
            long settled = forged;
            for (int round = 0; round < 2; round++) {
                if (round == 1) {
                    settled = forged(cluster);
                }
                for (int from = 1; from <= 2; from++) {
                    ObjectKey after = ObjectKey.of(ObjectType.SYSTEM, "after-rotation-" + round + "-n" + from);
                    cluster.node(from).cdb().putObject(after, null, Json.object(), null).await().atMost(WAIT);
                    InProcessCluster.Node to = cluster.node(3 - from);
                    Eventually.await(WAIT, () -> to.cdb().object(after).isPresent(), after + " reaches " + to.id + " after the rotation");
                }
            }
            assertThat(forged(cluster)).as("no peer datagram dropped as forged once the rotation is done").isEqualTo(settled);
            long beforeStale = forged(cluster);

            // a sender still on the old secret is refused
            try (InProcessCluster stale = InProcessCluster.start(1, cluster.settings().withSecret(OLD), "old", 9)) {
                stale.node(1).cdb().putObject(ObjectKey.of(ObjectType.SYSTEM, "from-old"), null, Json.object(), null).await().atMost(WAIT);
                Eventually.await(WAIT, () -> forged(cluster) > beforeStale, "the old secret's datagrams are dropped");
                assertThat(cluster.node(2).cdb().object(ObjectKey.of(ObjectType.SYSTEM, "from-old"))).isEmpty();
            }
        }
    }

    private static long forged(InProcessCluster cluster) {
        return cluster.nodes().stream().mapToLong(n -> n.sync().counters().droppedCount(DropReason.FORGED)).sum();
    }
}
