package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.it.AcpApp.CliResult;
import io.acp.model.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged nodes, a and b, of one cluster: a makes itself a cluster at first start, b is
 * admitted with {@code acp cluster add-node}; with b's agent address put into a's CDB (cluster sync
 * is not there yet), {@code acp --node b} through a's socket is answered by b.
 */
class AgentRoutingIT {

    private static final Duration CLI_LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aRoutesToBsAgentAndNamesBWhenItIsGone() throws Exception {
        Path dirA = dir.resolve("a");
        Path dirB = dir.resolve("b");
        Files.createDirectories(dirA);
        Files.createDirectories(dirB);
        try (NodeProcess a = NodeProcess.start("a", dirA)) {
            assertThat(Files.exists(a.dataDir().resolve("pki/ca.key"))).as("a made itself a cluster").isTrue();
            CliResult added = cli(a, "cluster", "add-node", "b", "--out", dirB.resolve("data").toString());
            assertThat(added.exitCode()).as("%s", added).isZero();
            // b authorizes routed requests with its own keys: give it a's (docs/security.md).
            Files.copy(a.dataDir().resolve("api-keys"), dirB.resolve("data/api-keys"));
            Files.copy(a.dataDir().resolve("admin.key"), dirB.resolve("data/admin.key"));

            try (NodeProcess b = NodeProcess.start("b", dirB)) {
                CliResult meta = cli(b, "meta", "node", "b", "--json");
                assertThat(meta.exitCode()).as("%s", meta).isZero();
                String address = Json.MAPPER.readTree(meta.out().get(0)).get(0).path("values").path("agent").asText();
                assertThat(address).as("b publishes its agent address").startsWith("127.0.0.1:");

                CliResult put = cli(a, "put", "node", "b", "--spec", "{\"agent\":\"" + address + "\"}");
                assertThat(put.exitCode()).as("%s", put).isZero();

                CliResult status = cli(a, "--node", "b", "status", "--json");
                assertThat(status.exitCode()).as("%s", status).isZero();
                JsonNode s = Json.MAPPER.readTree(status.out().get(0));
                assertThat(s.path("node").asText()).isEqualTo("b");
                CliResult local = cli(a, "status", "--json");
                assertThat(Json.MAPPER.readTree(local.out().get(0)).path("node").asText()).isEqualTo("a");

                watchOnBThroughA(a, b);

                assertThat(b.terminate(Duration.ofSeconds(30))).as("exit after SIGTERM").isIn(0, 143);
                CliResult gone = cli(a, "--node", "b", "status");
                assertThat(gone.exitCode()).as("%s", gone).isEqualTo(5);
                assertThat(String.join("\n", gone.err())).contains("node b").contains(address);
            }
        }
    }

    /**
     * {@code acp --node b watch} run against a: streams are not routed through a, so the CLI finds
     * b's agent in a's cluster state and watches there with a's node certificate; a put on b shows.
     */
    private void watchOnBThroughA(NodeProcess a, NodeProcess b) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(AcpApp.command(List.of("-Dacp.node.data-dir=" + a.dataDir(), "-Dacp.node.id=a"),
                "--node", "b", "watch", "alarm", "--json", "--socket", a.socket().toString(),
                "--api-key", Files.readString(a.dataDir().resolve("admin.key"), StandardCharsets.UTF_8).trim()));
        Process watch = new ProcessBuilder(cmd).redirectError(dir.resolve("watch-b.err").toFile()).start();
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(watch.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (java.io.IOException ignored) {
                // the process was stopped
            }
        }, "watch-b-reader");
        reader.start();
        try {
            String seen = null;
            // the watch subscribes some time after its JVM starts: write until it reports one
            for (int i = 0; i < 20 && seen == null; i++) {
                CliResult put = cli(b, "put", "alarm", "seen-" + i, "--spec", "{}");
                assertThat(put.exitCode()).as("%s", put).isZero();
                seen = lines.poll(2, java.util.concurrent.TimeUnit.SECONDS);
            }
            assertThat(seen).as("the watch through b's agent printed nothing; stderr:\n%s", Files.readString(dir.resolve("watch-b.err"))).isNotNull();
            JsonNode event = Json.MAPPER.readTree(seen);
            assertThat(event.path("type").asText()).isEqualTo("alarm");
            assertThat(event.path("version").asText()).as("written on b").endsWith("@b");
        } finally {
            watch.destroy();
            watch.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** The CLI against {@code node}'s socket, with its data dir (and so its admin key and PKI). */
    private CliResult cli(NodeProcess node, String... args) throws Exception {
        List<String> all = new java.util.ArrayList<>(List.of(args));
        if (!args[0].equals("cluster")) {
            all.addAll(List.of("--socket", node.socket().toString(), "--api-key",
                    Files.readString(node.dataDir().resolve("admin.key"), StandardCharsets.UTF_8).trim()));
        }
        return AcpApp.cli(dir, List.of("-Dacp.node.data-dir=" + node.dataDir(), "-Dacp.node.id=" + node.id()), CLI_LIMIT,
                all.toArray(String[]::new));
    }
}
