package io.acp.agent;

import io.acp.api.ApiConfig;
import io.acp.api.ApiService;
import io.acp.api.LocalServices;
import io.acp.cluster.Cdb;
import io.acp.node.ServiceContext;
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
import java.util.function.UnaryOperator;

/**
 * One node without Quarkus: an in-memory CDB, the real ApiService (Unix socket and loopback TCP)
 * and the real AgentService on 127.0.0.1 with a free port, with API keys of every role.
 */
final class AgentStack implements AutoCloseable {

    static final String ADMIN_KEY = "acp_agent-test-admin";
    static final String READER_KEY = "acp_agent-test-reader";

    final String node;
    final Path dataDir;
    final Cdb cdb;
    final ApiService api;
    final AgentService agent;

    private AgentStack(Vertx vertx, String node, Path dir, AgentConfig config, UnaryOperator<LocalServices> services) throws IOException {
        this.node = node;
        this.dataDir = dir.resolve("data");
        this.cdb = Cdb.inMemory(node);
        writeKeys(dataDir);
        ApiConfig apiConfig = new TestApi(dir.resolve("run/api.sock"), "127.0.0.1", 0, 4096, Duration.ofSeconds(30), 3);
        this.api = new ApiService(apiConfig, node, dataDir, services.apply(LocalServices.of(node, () -> cdb)), null, vertx, "0.1.0-test");
        this.agent = new AgentService(config, node, dataDir, api, () -> cdb, vertx);
    }

    /** Starts a node; with no PKI in {@code dir} the agent makes it a single-node cluster. */
    static AgentStack start(Vertx vertx, String node, Path dir) throws IOException {
        return start(vertx, node, dir, config(List.of("TLSv1.3")));
    }

    static AgentStack start(Vertx vertx, String node, Path dir, AgentConfig config) throws IOException {
        return start(vertx, node, dir, config, services -> services);
    }

    /** A node whose API reaches what {@code services} adds to the CDB (a storage service, say). */
    static AgentStack start(Vertx vertx, String node, Path dir, AgentConfig config, UnaryOperator<LocalServices> services) throws IOException {
        AgentStack s = new AgentStack(vertx, node, dir, config, services);
        s.api.start(context(node)).await().atMost(Duration.ofSeconds(10));
        s.agent.start(context(node)).await().atMost(Duration.ofSeconds(20));
        return s;
    }

    PkiFiles pki() {
        return PkiFiles.in(dataDir);
    }

    int agentPort() {
        return agent.port();
    }

    /** Tells this node's CDB where {@code other}'s agent is, as cluster sync will once it exists. */
    void learnAddressOf(AgentStack other) {
        cdb.merge(other.cdb.putMeta(io.acp.model.ObjectKey.of(io.acp.model.ObjectType.NODE, other.node),
                io.acp.model.Json.object().put("agent", other.agent.advertisedAddress())));
    }

    static TestAgentConfig config(List<String> protocols) {
        return new TestAgentConfig("127.0.0.1", 0, 0, Optional.empty(), protocols, Duration.ofSeconds(30), 4096, 3, 64, 1000, 100_000,
                Duration.ofSeconds(3));
    }

    record TestAgentConfig(String host, int port, int joinPort, Optional<String> advertise, List<String> tlsProtocols, Duration idleTimeout, int maxFrameBytes,
            int maxAuthFailures, int maxConnectionsPerClient, int connectionsPerSecond, int requestsPerSecond, Duration routeTimeout)
            implements AgentConfig {

        TestAgentConfig withIdleTimeout(Duration d) {
            return new TestAgentConfig(host, port, joinPort, advertise, tlsProtocols, d, maxFrameBytes, maxAuthFailures, maxConnectionsPerClient,
                    connectionsPerSecond, requestsPerSecond, routeTimeout);
        }

        @Override
        public Duration jobRouteTimeout() {
            return Duration.ofMinutes(5);
        }

        TestAgentConfig withClientLimits(int maxConnections, int requests) {
            return new TestAgentConfig(host, port, joinPort, advertise, tlsProtocols, idleTimeout, maxFrameBytes, maxAuthFailures, maxConnections,
                    connectionsPerSecond, requests, routeTimeout);
        }
    }

    record TestApi(Path socket, String host, int port, int maxFrameBytes, Duration idleTimeout, int maxAuthFailures) implements ApiConfig {

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

    static void writeKeys(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve("api-keys"), "root admin " + hash(ADMIN_KEY) + "\nviewer read-only " + hash(READER_KEY) + "\n",
                StandardCharsets.UTF_8);
    }

    static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static ServiceContext context(String node) {
        return new ServiceContext() {
            @Override
            public String nodeId() {
                return node;
            }

            @Override
            public void failed(Throwable cause) {
                throw new AssertionError("service reported a failure", cause);
            }
        };
    }

    @Override
    public void close() {
        agent.stop().await().atMost(Duration.ofSeconds(10));
        api.stop().await().atMost(Duration.ofSeconds(10));
        cdb.close();
    }
}
