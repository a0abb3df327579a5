package io.acp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.api.ApiService;
import io.acp.api.LocalServices;
import io.acp.api.RealApi;
import io.acp.cluster.sync.SecretRotation;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.ClusterSecretSlots;
import io.acp.testing.InProcessCluster;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code acp cluster rotate-secret} against a real node (real API, real running sync): it rotates
 * the node's secret through the three steps, and a member that cannot be reached stops the
 * rotation in the first step with an error naming it, before any node sends under the new secret
 * (and is left out with --skip).
 */
class CliRotateSecretTest {

    private final QuarkusMainLauncher launcher = new InProcessClient();

    private static final String OLD = "in-process cluster secret 0123456789";

    @TempDir
    Path dir;

    @Test
    void rotatesTheSecretOfTheNodeAndStopsAtAMemberItCannotReach() throws Exception {
        Vertx vertx = RealApi.nativeVertx();
        try (InProcessCluster cluster = InProcessCluster.start(1)) {
            InProcessCluster.Node n = cluster.node(1);
            ClusterSecretSlots files = ClusterSecretSlots.in(n.dataDir);
            files.write(OLD, Optional.empty());
            ApiService api = RealApi.start(vertx, dir, n.id, n.dataDir, LocalServices.of(n.id, n::cdb)
                    .withSecretRotation(() -> new SecretRotation(n.id, files, n.sync())));
            try {
                String socket = dir.resolve("run").resolve("api.sock").toString();
                LaunchResult done = launcher.launch("cluster", "rotate-secret", "--socket", socket, "--api-key", RealApi.ADMIN_KEY);
                assertThat(done.exitCode()).as(done.getErrorOutput()).isZero();
                assertThat(done.getOutput()).contains("step accept done on " + n.id).contains("step retire done on " + n.id)
                        .contains("cluster secret rotated on 1 node(s)");
                String rotated = files.current();
                assertThat(rotated).matches("[0-9a-f]{64}").isNotEqualTo(OLD);
                assertThat(done.getOutput()).doesNotContain(rotated);
                assertThat(files.previous()).isEmpty();

                // a member that reports itself in the CDB but cannot be reached
                n.cdb().putStats(ObjectKey.of(ObjectType.NODE, "ghost"), Map.of("up", 1.0));
                LaunchResult stopped = launcher.launch("cluster", "rotate-secret", "--socket", socket, "--api-key", RealApi.ADMIN_KEY);
                assertThat(stopped.exitCode()).isEqualTo(ExitCodes.FAILURE);
                assertThat(stopped.getErrorOutput()).contains("stopped in step accept on node ghost")
                        .contains("every node still sends under the old secret");
                assertThat(files.current()).as("nobody sends under the abandoned secret").isEqualTo(rotated);
                assertThat(files.previous()).as("the node accepted the new one in step accept").isPresent();

                // the member is gone for good: left out, the rotation runs again from the start
                LaunchResult skipped = launcher.launch("cluster", "rotate-secret", "--skip", "ghost", "--socket", socket, "--api-key", RealApi.ADMIN_KEY);
                assertThat(skipped.exitCode()).as(skipped.getErrorOutput()).isZero();
                assertThat(files.current()).isNotEqualTo(rotated).matches("[0-9a-f]{64}");
                assertThat(files.previous()).isEmpty();
            } finally {
                api.stop().await().atMost(Duration.ofSeconds(10));
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
