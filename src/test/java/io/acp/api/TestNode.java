package io.acp.api;

import io.acp.cluster.Cdb;
import io.acp.node.Health;
import io.acp.node.ServiceContext;
import io.acp.node.ServiceDirectory;
import io.acp.node.ServiceState;
import io.acp.node.ServiceStatus;
import io.acp.hypervisor.Systems;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real ApiService without Quarkus: a real Vert.x with the native transport, a real Unix socket in
 * a temp dir and TCP on 127.0.0.1 with a free port, and an in-memory CDB. Keys for the three roles
 * are written to the api-keys file before start.
 */
final class TestNode implements AutoCloseable {

    static final String NODE = "n1";
    static final String ADMIN_KEY = "acp_test-admin-key";
    static final String OPERATOR_KEY = "acp_test-operator-key";
    static final String READER_KEY = "acp_test-reader-key";
    static final Instant STARTED = Instant.parse("2026-11-24T10:00:00Z");

    final Vertx vertx;
    final Path dir;
    final TestApiConfig config;
    final AtomicReference<Cdb> cdb = new AtomicReference<>(Cdb.inMemory(NODE));
    /** The hypervisor's operations, once a test starts one (HypervisorApiTest). */
    final AtomicReference<Systems> systems = new AtomicReference<>();
    final ApiService api;

    private TestNode(Vertx vertx, Path dir, TestApiConfig config) {
        this.vertx = vertx;
        this.dir = dir;
        this.config = config;
        this.api = new ApiService(config, NODE, dir.resolve("data"), LocalServices.of(NODE, this::currentCdb).withSystems(this::currentSystems), directory(), vertx,
                "0.1.0-test");
    }

    static Vertx nativeVertx() {
        return Vertx.vertx(new VertxOptions().setPreferNativeTransport(true));
    }

    /** Starts a node with keys for every role in {@code dir}. */
    static TestNode start(Vertx vertx, Path dir) throws IOException {
        return start(vertx, dir, TestApiConfig.in(dir), true);
    }

    static TestNode start(Vertx vertx, Path dir, TestApiConfig config, boolean writeKeys) throws IOException {
        if (writeKeys) {
            writeKeys(dir.resolve("data"));
        }
        TestNode node = new TestNode(vertx, dir, config);
        node.api.start(context()).await().atMost(Duration.ofSeconds(10));
        return node;
    }

    static void writeKeys(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        Files.writeString(dataDir.resolve(ApiKeyStore.KEYS_FILE), String.join("\n",
                "# test keys",
                "root admin " + hash(ADMIN_KEY),
                "ops operator " + hash(OPERATOR_KEY),
                "",
                "viewer read-only " + hash(READER_KEY)) + "\n", StandardCharsets.UTF_8);
    }

    static String hash(String key) {
        return HexFormat.of().formatHex(ApiKeyStore.sha256(key));
    }

    TestClient unixClient() throws IOException {
        return TestClient.unix(config.socket());
    }

    TestClient tcpClient() throws IOException {
        return TestClient.tcp(api.tcpPort());
    }

    TestClient client(boolean unix) throws IOException {
        return unix ? unixClient() : tcpClient();
    }

    /** A client already authenticated with {@code key} (by a ping). */
    TestClient client(boolean unix, String key) throws IOException {
        TestClient c = client(unix).withKey(key);
        if (!c.pingAnswers()) {
            throw new AssertionError("authentication with a test key failed");
        }
        return c;
    }

    private Cdb currentCdb() {
        Cdb c = cdb.get();
        if (c == null) {
            throw new io.acp.protocol.AcpException(io.acp.protocol.ErrorCode.UNAVAILABLE, "cluster service on node n1 is not running");
        }
        return c;
    }

    private Systems currentSystems() {
        Systems s = systems.get();
        if (s == null) {
            throw new io.acp.protocol.AcpException(io.acp.protocol.ErrorCode.UNAVAILABLE, "hypervisor service on node n1 is not running");
        }
        return s;
    }

    static ServiceContext context() {
        return new ServiceContext() {
            @Override
            public String nodeId() {
                return NODE;
            }

            @Override
            public void failed(Throwable cause) {
                throw new AssertionError("api service reported a failure", cause);
            }
        };
    }

    private static ServiceDirectory directory() {
        return new ServiceDirectory() {
            @Override
            public List<ServiceStatus> statuses() {
                return List.of(
                        new ServiceStatus("cluster", ServiceState.RUNNING, Health.OK, STARTED, 0, null, List.of()),
                        new ServiceStatus("api", ServiceState.RUNNING, Health.OK, STARTED, 1, "port in use", List.of("cluster")));
            }

            @Override
            public Instant startedAt() {
                return STARTED;
            }
        };
    }

    @Override
    public void close() {
        api.stop().await().atMost(Duration.ofSeconds(10));
    }
}
