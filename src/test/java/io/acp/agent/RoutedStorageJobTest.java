package io.acp.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.api.client.ApiEndpoint;
import io.acp.cluster.Cdb;
import io.acp.model.Json;
import io.acp.security.ClusterPki;
import io.acp.security.PkiFiles;
import io.acp.storage.StorageService;
import io.acp.storage.TestStorageConfig;
import io.acp.testing.Eventually;
import io.acp.testing.WithVertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A storage change routed to another node is a job: its answer is awaited past the route timeout
 * (3 s here), not cut off while the target still works on it. Node b's directory pool lies on a real
 * FUSE filesystem (bindfs) whose daemon is stopped (SIGSTOP) while a's client creates a volume there
 * through a's agent, so the volume's file blocks in the kernel on b; the daemon is continued well
 * after the route timeout, and the answer is b's: the volume, created.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RoutedStorageJobTest extends WithVertx {

    /** AgentStack's route timeout: a quick request unanswered this long is a hung node. */
    private static final Duration ROUTE_TIMEOUT = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    private AgentStack a;
    private AgentStack b;
    private StorageService storage;
    private Path pool;
    private Process bindfs;

    @BeforeEach
    void startTwoNodes() throws Exception {
        a = AgentStack.start(vertx, "a", dir.resolve("a"));
        ClusterPki.addNode(a.pki(), PkiFiles.in(dir.resolve("b/data")), "b", Duration.ofDays(30));
        AtomicReference<Cdb> cdbOfB = new AtomicReference<>();
        storage = new StorageService(TestStorageConfig.in(dir.resolve("b")), "b", dir.resolve("b/data"), cdbOfB::get);
        b = AgentStack.start(vertx, "b", dir.resolve("b"), AgentStack.config(List.of("TLSv1.3")), s -> s.withStorage(() -> storage.storage()));
        cdbOfB.set(b.cdb);
        storage.start(AgentStack.context("b")).await().atMost(Duration.ofSeconds(20));
        a.learnAddressOf(b);
        assertThat(AgentStack.config(List.of("TLSv1.3")).routeTimeout()).isEqualTo(ROUTE_TIMEOUT);
    }

    @AfterEach
    void stop() throws Exception {
        if (bindfs != null) {
            signal("CONT"); // a stopped daemon would leave the unmount and the volume's thread waiting
            bindfs.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            new ProcessBuilder("umount", "-l", pool.toString()).start().waitFor(10, TimeUnit.SECONDS);
        }
        storage.stop().await().atMost(Duration.ofSeconds(10));
        b.close();
        a.close();
    }

    /** Mounts a bindfs of an empty directory at b's pool directory. */
    private void mountPool() throws Exception {
        Path source = Files.createDirectories(dir.resolve("fuse-source"));
        pool = Files.createDirectories(dir.resolve("b/data/pools/slow"));
        bindfs = new ProcessBuilder("bindfs", "-f", source.toString(), pool.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("bindfs.log").toFile()).start();
        Eventually.await(Duration.ofSeconds(10), () -> mounted(pool), "bindfs mounts " + pool);
    }

    private static boolean mounted(Path at) {
        try {
            return Files.readString(Path.of("/proc/self/mountinfo")).contains(" " + at + " ");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean answers(ApiClient api) {
        try {
            return api.call("b", "api", "ping", null).path("node").asText().equals("b");
        } catch (io.acp.protocol.AcpException e) {
            return false;
        }
    }

    private void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(bindfs.pid())).start().waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void aVolumeCreateRoutedToBThatOutlastsTheRouteTimeoutIsAnsweredByB() throws Exception {
        mountPool();
        try (ApiClient api = ApiClient.connect(new ApiEndpoint.Tcp("127.0.0.1", a.api.tcpPort()), AgentStack.ADMIN_KEY, Duration.ofSeconds(60))) {
            // The link to b first (a TLS handshake on a loaded machine may itself take the route timeout): then only the job is timed.
            Eventually.await(Duration.ofSeconds(30), () -> answers(api), "a reaches b's agent");
            ObjectNode spec = Json.object().put("kind", "dir").put("path", pool.toString());
            ObjectNode poolArgs = Json.object().put("id", "slow");
            poolArgs.set("spec", spec);
            api.call("b", "storage", "pool.create", poolArgs);

            signal("STOP");
            ObjectNode volume = Json.object().put("pool", "slow").put("name", "disk1").put("size", "8M").put("format", "raw");
            CompletableFuture<JsonNode> created = CompletableFuture.supplyAsync(() -> api.call("b", "storage", "volume.create", volume));
            Thread.sleep(ROUTE_TIMEOUT.plusSeconds(3).toMillis());
            assertThat(created).as("b's answer is still awaited past the route timeout while its pool's filesystem is stopped").isNotDone();

            signal("CONT");
            JsonNode answer = created.get(60, TimeUnit.SECONDS);
            assertThat(answer.path("path").asText()).isEqualTo(pool.resolve("disk1").toString());
            assertThat(Files.size(dir.resolve("fuse-source/disk1"))).as("the volume's file, through the filesystem").isEqualTo(8L << 20);
        }
    }
}
