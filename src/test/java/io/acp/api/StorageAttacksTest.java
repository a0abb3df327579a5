package io.acp.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.node.ServiceDirectory;
import io.acp.protocol.ErrorCode;
import io.acp.protocol.Response;
import io.acp.storage.StorageService;
import io.acp.testing.WithVertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage attacks of issue 14, repeated through the real API (Unix socket) with a real storage
 * service on files: ids that are path elements, pools that lead out of their root, shares that
 * bind-mount host directories. Each is refused naming the rule and the object, and the data dir,
 * the directories outside and the mount table are exactly as before.
 */
class StorageAttacksTest extends WithVertx {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    Cdb cdb = Cdb.inMemory(TestNode.NODE);
    StorageService storage;
    ApiService api;
    TestApiConfig config;
    Path data;

    @BeforeEach
    void start() throws Exception {
        data = dir.resolve("data");
        TestNode.writeKeys(data);
        Files.writeString(data.resolve("webapi.secret"), "secret\n");
        Files.createDirectories(data.resolve("pki"));
        Files.writeString(data.resolve("pki/ca.key"), "key\n");
        Files.createDirectories(dir.resolve("roots"));
        Files.createDirectories(dir.resolve("outside"));
        storage = new StorageService(new StorageApiTest.Config(Optional.of(List.of(dir.resolve("roots"))), Optional.of(dir.resolve("shares"))),
                TestNode.NODE, data, () -> cdb);
        storage.start(TestNode.context()).await().atMost(WAIT);
        config = TestApiConfig.in(dir);
        api = new ApiService(config, TestNode.NODE, data, LocalServices.of(TestNode.NODE, () -> cdb).withStorage(storage::storage), directory(), vertx,
                "0-test");
        api.start(TestNode.context()).await().atMost(WAIT);
    }

    @AfterEach
    void stop() {
        api.stop().await().atMost(WAIT);
        storage.stop().await().atMost(WAIT);
    }

    @Test
    void idsThatArePathElementsAreRefusedAndTheDataDirIsUntouched() throws Exception {
        Map<String, String> before = files(dir);
        long objects = io.acp.testing.CdbContents.objectsBesideTasks(cdb);
        try (TestClient admin = client(TestNode.ADMIN_KEY)) {
            for (String id : List.of("..", ".", ".hidden", "a/b", "a\u0001b")) {
                refused(admin.call("storage", "pool.create", pool(id, Json.object().put("kind", "dir"))), ErrorCode.BAD_REQUEST, "rule object-id");
                refused(admin.call("storage", "share.add", share(id, "nfs", "filer:/vm", null)), ErrorCode.BAD_REQUEST, "rule object-id");
                ObjectNode put = Json.object().put("type", "storage").put("id", id).put("subtype", "pool");
                put.set("spec", Json.object().put("kind", "dir"));
                refused(admin.call("cluster", "put", put), ErrorCode.BAD_REQUEST, "rule object-id");
            }
            refused(admin.call("storage", "volume.delete", Json.object().put("pool", "..").put("name", "webapi.secret")), ErrorCode.BAD_REQUEST,
                    "rule object-id");
            refused(admin.call("storage", "show", Json.object().put("id", "..")), ErrorCode.BAD_REQUEST, "'..'");
        }
        assertThat(files(dir)).isEqualTo(before);
        assertThat(io.acp.testing.CdbContents.objectsBesideTasks(cdb)).as("no object written").isEqualTo(objects);
    }

    @Test
    void aPoolWhosePathLeadsOutOfItsRootThroughASymlinkIsRefused() throws Exception {
        Files.createSymbolicLink(dir.resolve("roots/escape"), dir.resolve("outside"));
        Files.createSymbolicLink(data.resolve("pools/escape"), data);
        Map<String, String> before = files(dir);
        try (TestClient admin = client(TestNode.ADMIN_KEY)) {
            refused(admin.call("storage", "pool.create", pool("p1", Json.object().put("kind", "dir").put("path", dir.resolve("roots/escape/p1").toString()))),
                    ErrorCode.BAD_REQUEST, "rule pool-path");
            refused(admin.call("storage", "pool.create", pool("p2", Json.object().put("kind", "dir").put("path", data.resolve("pki").toString()))),
                    ErrorCode.BAD_REQUEST, "rule pool-path");
            // An id pool under <data-dir>/pools whose directory is a symlink to the data dir.
            refused(admin.call("storage", "pool.create", pool("escape", Json.object().put("kind", "dir"))), ErrorCode.BAD_REQUEST, "rule confined-path");
        }
        assertThat(files(dir)).isEqualTo(before);
    }

    @Test
    void sharesThatBindHostDirectoriesAreRefusedAndNothingIsMounted() throws Exception {
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        Map<String, String> before = files(dir);
        long objects = io.acp.testing.CdbContents.objectsBesideTasks(cdb);
        try (TestClient operator = client(TestNode.OPERATOR_KEY); TestClient admin = client(TestNode.ADMIN_KEY)) {
            refused(operator.call("storage", "share.add", share("s1", "nfs", "filer:/vm", null)), ErrorCode.FORBIDDEN, "rule roles: storage.share.add needs admin");
            ObjectNode put = Json.object().put("type", "storage").put("id", "s1").put("subtype", "share");
            put.set("spec", Json.object().put("protocol", "smb").put("source", "//tmp/.").put("options", "bind"));
            refused(operator.call("cluster", "put", put), ErrorCode.FORBIDDEN, "rule roles: cluster.put needs admin");

            refused(admin.call("storage", "share.add", share("s2", "smb", "//tmp/.", null)), ErrorCode.BAD_REQUEST, "rule share-source");
            refused(admin.call("storage", "share.add", share("s3", "smb", "//" + dir.resolve("outside"), null)), ErrorCode.BAD_REQUEST, "rule share-source");
            refused(admin.call("storage", "share.add", share("s4", "nfs", "filer:/vm/../..", null)), ErrorCode.BAD_REQUEST, "rule share-source");
            refused(admin.call("storage", "share.add", share("s5", "nfs", "filer:/vm", "vers=4.2,x-foo")), ErrorCode.BAD_REQUEST, "rule share-options");
            refused(admin.call("storage", "share.add", share("s6", "smb", "//filer/vm", "credentials=/root/.ssh/id_rsa")), ErrorCode.BAD_REQUEST,
                    "rule share-credentials");
            // Privileged options are admin's, and only if this node lists them: it lists none.
            refused(admin.call("storage", "share.add", share("s7", "smb", "//filer/vm", "bind")), ErrorCode.FORBIDDEN, "rule share-options");
        }
        assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).isEqualTo(mounts);
        assertThat(files(dir)).isEqualTo(before);
        assertThat(io.acp.testing.CdbContents.objectsBesideTasks(cdb)).as("at most the tombstone of the share undone").isLessThanOrEqualTo(objects + 1);
        assertThat(cdb.object(io.acp.model.ObjectKey.of(io.acp.model.ObjectType.STORAGE, "s7")).filter(e -> !e.deleted())).as("share s7 undone").isEmpty();
    }

    private TestClient client(String key) throws IOException {
        return TestClient.unix(config.socket()).withKey(key);
    }

    private static ObjectNode pool(String id, ObjectNode spec) {
        ObjectNode o = Json.object().put("id", id);
        o.set("spec", spec);
        return o;
    }

    private static ObjectNode share(String id, String protocol, String source, String options) {
        ObjectNode spec = Json.object().put("protocol", protocol).put("source", source);
        if (options != null) {
            spec.put("options", options);
        }
        return pool(id, spec);
    }

    static void refused(Response r, ErrorCode code, String rule) {
        assertThat(r).isInstanceOfSatisfying(Response.Failure.class, f -> {
            assertThat(f.code()).as(f.message()).isEqualTo(code);
            assertThat(f.message()).contains(rule);
        });
    }

    /** Every file and directory under {@code root} (not following links) with its content or kind. */
    static Map<String, String> files(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.toList()) {
                String what = Files.isSymbolicLink(p) ? "link " + Files.readSymbolicLink(p) : Files.isDirectory(p) ? "dir"
                        : p.getFileName().toString().endsWith(".sock") ? "socket" : new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
                out.put(root.relativize(p).toString(), what);
            }
        }
        return out;
    }

    private static ServiceDirectory directory() {
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
