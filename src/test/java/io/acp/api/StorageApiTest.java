package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.node.ServiceDirectory;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import io.acp.storage.StorageConfig;
import io.acp.storage.StorageService;
import io.acp.testing.WithVertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Service {@code storage} over the real Unix socket, with a real storage service on files in a temp dir. */
class StorageApiTest extends WithVertx {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    Cdb cdb = Cdb.inMemory(TestNode.NODE);
    StorageService storage;
    ApiService api;
    TestApiConfig config;

    /** Storage settings with the test's roots and ticks an hour apart. */
    record Config(Optional<List<Path>> allowedRoots, Optional<Path> mountDir) implements StorageConfig {

        public Optional<List<String>> privilegedShareOptions() {
            return Optional.empty();
        }

        public String defaultPool() {
            return "default";
        }

        public int nearFullPercent() {
            return 90;
        }

        public int fullPercent() {
            return 98;
        }

        public Duration statsInterval() {
            return Duration.ofHours(1);
        }

        public Duration reconcileInterval() {
            return Duration.ofHours(1);
        }

        public Duration probeTimeout() {
            return Duration.ofSeconds(2);
        }

        public Duration commandTimeout() {
            return Duration.ofSeconds(20);
        }

        public String libvirtUri() {
            return "test:///default";
        }

        public Lvm lvm() {
            return () -> false;
        }
    }

    @BeforeEach
    void start() throws Exception {
        Path data = dir.resolve("data");
        TestNode.writeKeys(data);
        Files.createDirectories(dir.resolve("roots"));
        storage = new StorageService(new Config(Optional.of(List.of(dir.resolve("roots"))), Optional.of(dir.resolve("shares"))), TestNode.NODE, data,
                () -> cdb);
        storage.start(TestNode.context()).await().atMost(WAIT);
        config = TestApiConfig.in(dir);
        api = new ApiService(config, TestNode.NODE, data, LocalServices.of(TestNode.NODE, () -> cdb).withStorage(storage::storage),
                emptyDirectory(), vertx, "0-test");
        api.start(TestNode.context()).await().atMost(WAIT);
    }

    @AfterEach
    void stop() {
        api.stop().await().atMost(WAIT);
        storage.stop().await().atMost(WAIT);
    }

    @Test
    void anAdminManagesPoolsAndVolumesAndEveryMistakeHasItsCode() throws Exception {
        try (TestClient c = TestClient.unix(config.socket()).withKey(TestNode.ADMIN_KEY)) {
            ObjectNode pool = Json.object().put("id", "images");
            pool.set("spec", Json.object().put("kind", "dir").put("path", dir.resolve("roots/images").toString()));
            JsonNode created = c.result("storage", "pool.create", pool);
            assertThat(created.path("meta").path("state").asText()).isEqualTo("ok");
            assertThat(created.path("stats").path("capacity").asDouble()).isPositive();

            ObjectNode volume = Json.object().put("pool", "images").put("name", "web1").put("size", 4 << 20).put("format", "raw");
            JsonNode v = c.result("storage", "volume.create", volume);
            assertThat(v.path("path").asText()).isEqualTo(dir.resolve("roots/images/web1").toString());
            assertThat(Files.size(dir.resolve("roots/images/web1"))).isEqualTo(4 << 20);
            assertThat(c.result("storage", "volume.resize", volume.deepCopy().put("size", "8M")).path("capacity").asLong()).isEqualTo(8 << 20);

            JsonNode list = c.result("storage", "list", null);
            assertThat(list).extracting(x -> x.path("id").asText()).contains("default", "images");
            JsonNode show = c.result("storage", "show", Json.object().put("id", "images"));
            assertThat(show.path("volumes").get(0).path("name").asText()).isEqualTo("web1");

            failure(c.call("storage", "volume.create", volume), ErrorCode.CONFLICT, "volume web1 exists in pool images on node n1");
            failure(c.call("storage", "volume.create", volume.deepCopy().put("pool", "nope")), ErrorCode.NOT_FOUND, "pool nope not found");
            failure(c.call("storage", "volume.create", volume.deepCopy().put("size", "lots")), ErrorCode.BAD_REQUEST, "volume size must be a size");
            failure(c.call("storage", "volume.create", volume.deepCopy().put("name", "w2").put("size", "900T")), ErrorCode.CONFLICT, "out of space");
            ObjectNode outside = Json.object().put("id", "etc");
            outside.set("spec", Json.object().put("kind", "dir").put("path", "/etc"));
            failure(c.call("storage", "pool.create", outside), ErrorCode.BAD_REQUEST, "path /etc (leads to /etc) is outside the allowed roots");
            failure(c.call("storage", "volume.create", Json.object().put("pool", "images")), ErrorCode.BAD_REQUEST, "volume.create needs a string argument 'name'");
            failure(c.call("storage", "format", null), ErrorCode.UNKNOWN_OPERATION, "service storage has no operation 'format'");

            assertThat(c.result("storage", "volume.delete", Json.object().put("pool", "images").put("name", "web1")).path("deleted").asBoolean()).isTrue();
            assertThat(c.result("storage", "pool.delete", Json.object().put("id", "images")).path("deleted").asBoolean()).isTrue();
        }
    }

    @Test
    void aReadOnlyKeyMayLookButNotChange() throws Exception {
        try (TestClient c = TestClient.unix(config.socket()).withKey(TestNode.READER_KEY)) {
            assertThat(c.result("storage", "list", null)).isNotEmpty();
            failure(c.call("storage", "volume.create", Json.object().put("pool", "default").put("name", "x").put("size", "1M")), ErrorCode.FORBIDDEN,
                    "storage.volume.create needs operator or admin");
        }
    }

    private static void failure(Response r, ErrorCode code, String text) {
        assertThat(r).isInstanceOfSatisfying(Response.Failure.class, f -> {
            assertThat(f.code()).as(f.message()).isEqualTo(code);
            assertThat(f.message()).contains(text);
        });
    }

    private static ServiceDirectory emptyDirectory() {
        return new ServiceDirectory() {
            @Override
            public List<io.acp.node.ServiceStatus> statuses() {
                return List.of();
            }

            @Override
            public Instant startedAt() {
                return Instant.EPOCH;
            }
        };
    }
}
