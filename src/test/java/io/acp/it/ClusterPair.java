package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.it.AcpApp.CliResult;
import io.acp.model.Json;
import io.acp.testing.Ports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Two packaged ACP nodes in one cluster on this machine, as the multi-node ITs start them: cluster
 * sync on the loopback's multicast (a group and port of their own), node b admitted by node a
 * ({@code acp cluster add-node}, with a's API keys), and each node's agent address put in the CDB,
 * so that either routes requests and consoles to the other.
 */
record ClusterPair(NodeProcess a, NodeProcess b) {

    private static final Duration CLI_LIMIT = Duration.ofSeconds(120);

    /** The options that put a node in the pair's cluster: sync enabled with {@code secret}, on a fresh group and port on lo. */
    static List<String> syncOptions(String secret) {
        return List.of("-Dacp.cluster.sync.enabled=true", "-Dacp.cluster.sync.secret=" + secret, "-Dacp.cluster.sync.group=" + Ports.randomGroup(),
                "-Dacp.cluster.sync.port=" + Ports.freeUdpPort(), "-Dacp.cluster.sync.multicast-interface=lo");
    }

    /**
     * Starts node {@code a} in {@code dir/a}, admits {@code b} through it and starts it in
     * {@code dir/b}, then records both agent addresses; each node's options must include the same
     * {@link #syncOptions}.
     */
    static ClusterPair start(Path dir, String a, List<String> aOptions, String b, List<String> bOptions) throws Exception {
        Path da = Files.createDirectories(dir.resolve(a));
        Path db = Files.createDirectories(dir.resolve(b));
        NodeProcess na = NodeProcess.start(a, da, List.of(), aOptions);
        CliResult added = AcpApp.cli(dir, List.of("-Dacp.node.data-dir=" + na.dataDir(), "-Dacp.node.id=" + a), CLI_LIMIT,
                "cluster", "add-node", b, "--out", db.resolve("data").toString());
        assertThat(added.exitCode()).as("%s", added).isZero();
        Files.copy(na.dataDir().resolve("api-keys"), db.resolve("data/api-keys"));
        Files.copy(na.dataDir().resolve("admin.key"), db.resolve("data/admin.key"));
        NodeProcess nb = NodeProcess.start(b, db, List.of(), bOptions);
        for (NodeProcess n : List.of(na, nb)) {
            CliResult meta = cli(dir, n, "meta", "node", n.id(), "--json");
            assertThat(meta.exitCode()).as("%s", meta).isZero();
            String address = Json.MAPPER.readTree(meta.out().get(0)).get(0).path("values").path("agent").asText();
            CliResult put = cli(dir, na, "put", "node", n.id(), "--spec", "{\"agent\":\"" + address + "\"}");
            assertThat(put.exitCode()).as("%s", put).isZero();
        }
        return new ClusterPair(na, nb);
    }

    /** {@code acp ARGS} against {@code node}'s API socket with the admin key. */
    static CliResult cli(Path dir, NodeProcess node, String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--socket", node.socket().toString(), "--api-key", node.adminKey()));
        return AcpApp.cli(dir, List.of("-Dacp.node.data-dir=" + node.dataDir(), "-Dacp.node.id=" + node.id()), CLI_LIMIT, all.toArray(String[]::new));
    }

    /** Stops both nodes (b first); a failure to stop one does not keep the other running. */
    void close() throws InterruptedException {
        try {
            b.close();
        } finally {
            a.close();
        }
    }
}
