package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.api.client.ApiClient;
import io.acp.it.AcpApp.CliResult;
import io.acp.model.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code acp cluster rotate-secret} across two packaged nodes ({@code acp node run}) syncing over
 * multicast on loopback, with the secret in their PKI files: run on a, it reaches b through a's
 * agent, both end on one new secret with no previous slot left, and sync goes on in both
 * directions with no restart (docs/security.md, "Rotating the cluster secret").
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RotateSecretIT {

    private static final Duration CLI_LIMIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    private NodeProcess a;
    private NodeProcess b;

    @AfterEach
    void stop() throws Exception {
        NodeProcess.closeAll(b, a);
    }

    @Test
    void bothNodesEndOnOneNewSecretAndKeepSyncing() throws Exception {
        List<String> sync = LoopbackSync.options("cluster,api,agent", // the agent routes the rotation's steps to b
                "-Xmx160m", "-Dacp.cluster.journal.fsync=false");
        a = NodeProcess.start("a", Files.createDirectories(dir.resolve("a")), List.of(), sync);
        Path dataB = Files.createDirectories(dir.resolve("b")).resolve("data");
        CliResult added = AcpApp.cli(dir, List.of("-Dacp.node.data-dir=" + a.dataDir(), "-Dacp.node.id=a"), CLI_LIMIT,
                "cluster", "add-node", "b", "--out", dataB.toString());
        assertThat(added.exitCode()).as("%s", added).isZero();
        // b authorizes routed requests with its own keys: give it a's (docs/security.md)
        Files.copy(a.dataDir().resolve("api-keys"), dataB.resolve("api-keys"));
        Files.copy(a.dataDir().resolve("admin.key"), dataB.resolve("admin.key"));
        b = NodeProcess.start("b", dir.resolve("b"), List.of(), sync);
        String before = secret(a);
        assertThat(secret(b)).as("b was given a's secret").isEqualTo(before);

        Convergence.await(List.of(a, b), Set.of(put(a, "before-a"), put(b, "before-b")), Duration.ofSeconds(60));
        // the rotation reaches b through a's agent, whose address a learns from b's meta
        Convergence.until(Duration.ofSeconds(60), () -> {
            try (ApiClient api = a.client()) { // b's own meta of node/b, beside a's membership meta of it
                return !api.call("cluster", "meta", Json.object().put("type", "node").put("id", "b").put("node", "b"))
                        .path(0).path("values").path("agent").asText().isEmpty();
            }
        }, () -> "a learns b's agent address");

        CliResult rotated = AcpApp.cli(dir, List.of("-Dacp.node.data-dir=" + a.dataDir(), "-Dacp.node.id=a"), CLI_LIMIT,
                "cluster", "rotate-secret", "--socket", a.socket().toString(), "--api-key", a.adminKey());
        assertThat(rotated.exitCode()).as("%s", rotated).isZero();

        String after = secret(a);
        assertThat(after).as("a's new secret").isNotEqualTo(before);
        assertThat(secret(b)).as("b's secret").isEqualTo(after);
        for (NodeProcess n : List.of(a, b)) {
            assertThat(n.dataDir().resolve("pki/cluster.secret.previous")).as("node %s keeps no previous secret", n.id()).doesNotExist();
        }
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            written.add(put(a, "after-a" + i));
            written.add(put(b, "after-b" + i));
        }
        Convergence.await(List.of(a, b), Set.copyOf(written), Duration.ofSeconds(60));
        assertThat(a.alive() && b.alive()).as("no node restarted").isTrue();
    }

    private static String secret(NodeProcess n) throws Exception {
        return Files.readString(n.dataDir().resolve("pki/cluster.secret"), StandardCharsets.UTF_8).trim();
    }

    /** Writes an alarm on {@code n}; returns its id (what {@link Convergence} looks for). */
    private static String put(NodeProcess n, String id) throws Exception {
        try (ApiClient api = n.client()) {
            api.call("cluster", "put", Json.object().put("type", "alarm").put("id", id).set("spec", Json.object()));
        }
        return id;
    }
}
