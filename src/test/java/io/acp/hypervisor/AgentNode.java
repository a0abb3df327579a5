package io.acp.hypervisor;

import io.acp.agent.AgentConfig;
import io.acp.agent.AgentService;
import io.acp.api.ApiConfig;
import io.acp.api.ApiService;
import io.acp.api.LocalServices;
import io.acp.api.client.ApiClient;
import io.acp.api.client.ApiEndpoint;
import io.acp.cluster.Cdb;
import io.acp.node.ServiceContext;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A node as far as migrations need it, without Quarkus: its hypervisor (own libvirt test driver),
 * the real API and the real agent (mutual TLS on 127.0.0.1), over a CDB that cluster sync shares
 * with the other nodes. The node publishes its agent address in its meta, as the framework does.
 */
final class AgentNode implements AutoCloseable {

    static final String ADMIN_KEY = "acp_hypervisor-test-admin";
    private static final Duration WAIT = Duration.ofSeconds(20);

    final String id;
    final Path data;
    final TestDriverNodes hypervisor;
    final ApiService api;
    final AgentService agent;
    private final Supplier<Cdb> cdb;

    private AgentNode(Vertx vertx, String id, Path dir, Supplier<Cdb> cdb) throws IOException {
        this.id = id;
        this.cdb = cdb;
        this.data = dir.resolve("data");
        Files.createDirectories(data);
        Files.writeString(data.resolve("api-keys"), "root admin " + sha256(ADMIN_KEY) + "\n", StandardCharsets.UTF_8);
        this.hypervisor = TestDriverNodes.start(dir, java.util.Map.of(id, cdb));
        this.api = new ApiService(new Api(dir.resolve("run/api.sock"), "127.0.0.1", 0, 1 << 20, Duration.ofSeconds(30), 3), id, data,
                LocalServices.of(id, cdb).withSystems(() -> hypervisor.node(id).systems()), null, vertx, "0.1.0-test");
        this.agent = new AgentService(new Agent("127.0.0.1", 0, 0, Optional.empty(), List.of("TLSv1.3"), Duration.ofSeconds(30), 1 << 20, 3, 64,
                1000, 100_000, Duration.ofSeconds(10)), id, data, api, cdb, vertx);
    }

    /** Starts a node; with {@code issuer} null it makes its own cluster PKI, else it gets its certificate from the issuer's CA. */
    static AgentNode start(Vertx vertx, String id, Path dir, Supplier<Cdb> cdb, AgentNode issuer) throws IOException {
        if (issuer != null) {
            ClusterPki.addNode(PkiFiles.in(issuer.data), PkiFiles.in(dir.resolve("data")), id, Duration.ofDays(30));
        }
        AgentNode n = new AgentNode(vertx, id, dir, cdb);
        n.api.start(TestDriverNodes.context(id)).await().atMost(WAIT);
        n.agent.start(TestDriverNodes.context(id)).await().atMost(WAIT);
        cdb.get().putMeta(ObjectKey.of(ObjectType.NODE, id), Json.object().put("agent", "127.0.0.1:" + n.agent.port()));
        return n;
    }

    TestDriverNodes.Node node() {
        return hypervisor.node(id);
    }

    Cdb cdb() {
        return cdb.get();
    }

    ApiClient client() {
        return ApiClient.connect(new ApiEndpoint.Tcp("127.0.0.1", api.tcpPort()), ADMIN_KEY, Duration.ofSeconds(30));
    }

    @Override
    public void close() {
        agent.stop().await().atMost(WAIT);
        api.stop().await().atMost(WAIT);
        hypervisor.close();
    }

    static ServiceContext context(String id) {
        return TestDriverNodes.context(id);
    }

    private static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    record Api(Path socket, String host, int port, int maxFrameBytes, Duration idleTimeout, int maxAuthFailures) implements ApiConfig {

        @Override
        public int maxConnections() {
            return 512;
        }

        @Override
        public int maxConnectionsPerPeer() {
            return 64;
        }

        @Override
        public Tasks tasks() {
            return io.acp.api.TaskLimits.DEFAULTS;
        }

    }

    record Agent(String host, int port, int joinPort, Optional<String> advertise, List<String> tlsProtocols, Duration idleTimeout, int maxFrameBytes,
            int maxAuthFailures, int maxConnectionsPerClient, int connectionsPerSecond, int requestsPerSecond, Duration routeTimeout)
            implements AgentConfig {

        @Override
        public Duration jobRouteTimeout() {
            return Duration.ofMinutes(5);
        }
    }
}
