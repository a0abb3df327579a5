package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import io.acp.testing.WithVertx;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lifecycle, files and connection limits of the API service, on real sockets and files. */
class ApiServiceTest extends WithVertx {

    @TempDir
    Path dir;

    @Test
    void socketIs0660InA0750Directory() throws Exception {
        try (TestNode node = TestNode.start(vertx, dir)) {
            Path socket = node.config.socket();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent()))).isEqualTo("rwxr-x---");
            assertThat(node.api.socketPath()).isEqualTo(socket);
            assertThat(node.api.tcpPort()).isPositive();
        }
    }

    @Test
    void nonLoopbackHostIsRefusedAtStart() {
        for (String host : List.of("0.0.0.0", "192.0.2.10")) {
            ApiService api = new ApiService(TestApiConfig.in(dir).withHost(host), "n1", dir.resolve("data"), LocalServices.of("n1", () -> null), null, vertx, "0");
            assertThatThrownBy(() -> api.start(TestNode.context()).await().atMost(Duration.ofSeconds(10)))
                    .hasMessageContaining("acp.api.host=" + host)
                    .hasMessageContaining("loopback only");
            api.stop().await().atMost(Duration.ofSeconds(10));
            assertThat(Files.exists(dir.resolve("run/api.sock"))).isFalse();
        }
    }

    /** A second offerer of the storage service, as a capability added by mistake would be. */
    static final class SecondStorageSet implements OperationSet {
        @Override
        public List<ServiceOperations> operations(ApiContext api) {
            return List.of(new StorageOperations(() -> null));
        }
    }

    /** Another capability that names its service as the API's own task service. */
    static final class TaskClashSet implements OperationSet {
        @Override
        public List<ServiceOperations> operations(ApiContext api) {
            return List.of(new TaskOperations(api.taskLog(), api.worker()));
        }
    }

    @Test
    void aServiceOfferedByTwoOperationSetsFailsTheApiNamingBoth() {
        assertThatThrownBy(() -> new ApiService(TestApiConfig.in(dir), "n1", dir.resolve("data"), () -> null,
                List.of(new StorageOperationSet(() -> null), new SecondStorageSet()), vertx))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("rule unique-operations")
                .hasMessageContaining("node n1")
                .hasMessageContaining("service 'storage' twice")
                .hasMessageContaining("by StorageOperationSet (StorageOperations) and by SecondStorageSet (StorageOperations)")
                .hasMessageContaining("pool.create");
        assertThatThrownBy(() -> new ApiService(TestApiConfig.in(dir), "n1", dir.resolve("data"), () -> null, List.of(new TaskClashSet()), vertx))
                .hasMessageContaining("service 'task' twice, by the API itself (TaskOperations) and by TaskClashSet (TaskOperations)");
    }

    @Test
    void theOperationSetsOfferEveryServiceOnce() {
        ApiService api = new ApiService(TestApiConfig.in(dir), "n1", dir.resolve("data"), LocalServices.of("n1", () -> null), null, vertx, "0");
        assertThat(api.operations().keySet())
                .containsExactly("api", "cluster", "console", "framework", "hypervisor", "monitor", "network", "storage", "task");
    }

    @Test
    void firstStartGeneratesAnAdminKeyThatWorks() throws Exception {
        Path data = dir.resolve("data");
        String key;
        try (TestNode node = TestNode.start(vertx, dir, TestApiConfig.in(dir), false)) {
            Path keys = data.resolve("api-keys");
            Path adminKey = data.resolve("admin.key");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys))).isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(adminKey))).isEqualTo("rw-------");
            key = Files.readString(adminKey, StandardCharsets.UTF_8).strip();
            assertThat(key).startsWith("acp_").hasSize(4 + 43); // 256 bits in unpadded base64url
            String stored = Files.readString(keys, StandardCharsets.UTF_8);
            assertThat(stored).doesNotContain(key).contains("admin admin " + TestNode.hash(key));
            try (TestClient c = TestClient.unix(node.config.socket()).withKey(key)) {
                ObjectNode put = Json.object().put("type", "node").put("id", "n1");
                put.set("spec", Json.object());
                assertThat(c.result("cluster", "put", put).path("id").asText()).isEqualTo("n1");
            }
        }
        try (TestNode restarted = TestNode.start(vertx, dir, TestApiConfig.in(dir), false)) {
            assertThat(Files.readString(data.resolve("admin.key")).strip()).as("kept across restarts").isEqualTo(key);
            try (TestClient c = restarted.tcpClient().withKey(key)) {
                assertThat(c.pingAnswers()).isTrue();
            }
        }
    }

    @Test
    void connectionIsClosedAfterTooManyFailedAuthentications() throws Exception {
        try (TestNode node = TestNode.start(vertx, dir); TestClient c = node.unixClient()) {
            for (int i = 0; i < node.config.maxAuthFailures(); i++) {
                Response r = c.withKey("acp_wrong-" + i).call("api", "ping", null);
                assertThat(((Response.Failure) r).code()).isEqualTo(ErrorCode.UNAUTHORIZED);
            }
            assertThat(c.next()).isSameAs(TestClient.CLOSED);
            try (TestClient fresh = node.unixClient().withKey(TestNode.ADMIN_KEY)) {
                assertThat(fresh.pingAnswers()).isTrue();
            }
        }
    }

    @Test
    void failedAuthenticationsAreRateLimitedNodeWide() throws Exception {
        try (TestNode node = TestNode.start(vertx, dir)) {
            List<ErrorCode> codes = new ArrayList<>();
            for (int conn = 0; conn < 40 && !codes.contains(ErrorCode.RATE_LIMITED); conn++) {
                try (TestClient c = node.tcpClient()) {
                    for (int i = 0; i < node.config.maxAuthFailures() - 1; i++) {
                        codes.add(((Response.Failure) c.withKey("acp_guess").call("api", "ping", null)).code());
                    }
                }
            }
            assertThat(codes).contains(ErrorCode.RATE_LIMITED).startsWith(ErrorCode.UNAUTHORIZED);
            // Tokens come back with time: a right key is accepted again.
            ApiOperationsTest.waitFor(() -> {
                try (TestClient c = node.tcpClient().withKey(TestNode.ADMIN_KEY)) {
                    return c.call("api", "ping", null) instanceof Response.Result;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    @Test
    void idleConnectionsAreClosedUnlessTheyHaveAStream() throws Exception {
        TestApiConfig config = TestApiConfig.in(dir).withIdleTimeout(Duration.ofMillis(300));
        try (TestNode node = TestNode.start(vertx, dir, config, true);
                TestClient idle = node.client(true, TestNode.READER_KEY);
                TestClient slowLoris = node.tcpClient();
                TestClient watcher = node.client(false, TestNode.READER_KEY)) {
            watcher.send("cluster", "watch", null);
            assertThat(watcher.next()).isInstanceOf(Response.Result.class);
            slowLoris.sendRaw(new byte[] {0, 0}); // half a length prefix, then nothing
            assertThat(idle.next()).isSameAs(TestClient.CLOSED);
            assertThat(slowLoris.next()).isSameAs(TestClient.CLOSED);
            assertThat(watcher.poll(3 * 300)).as("a watching connection stays open").isNull();
            assertThat(watcher.pingAnswers()).isTrue();
        }
    }

    @Test
    void staleSocketFileIsReplacedButALiveOneIsRefused() throws Exception {
        TestApiConfig config = TestApiConfig.in(dir);
        Files.createDirectories(config.socket().getParent());
        try (ServerSocketChannel old = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            old.bind(UnixDomainSocketAddress.of(config.socket()));
        } // closed, the file stays behind as after a crash
        assertThat(Files.exists(config.socket())).isTrue();
        try (TestNode node = TestNode.start(vertx, dir, config, true)) {
            try (TestClient c = node.client(true, TestNode.ADMIN_KEY)) {
                assertThat(c.pingAnswers()).isTrue();
            }
            ApiService second = new ApiService(config, "n1", dir.resolve("data"), LocalServices.of("n1", () -> null), null, vertx, "0");
            assertThatThrownBy(() -> second.start(TestNode.context()).await().atMost(Duration.ofSeconds(10)))
                    .hasMessageContaining("another process is listening on unix:" + config.socket());
            second.stop().await().atMost(Duration.ofSeconds(10)); // as the manager does after a failed start
            try (TestClient c = node.client(true, TestNode.ADMIN_KEY)) {
                assertThat(c.pingAnswers()).as("the first node's socket was left alone").isTrue();
            }
        }
    }
}
