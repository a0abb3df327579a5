package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.testing.SmallDisk;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real nodes ({@code acp node run}) syncing over multicast on loopback; node a's data dir is a
 * 16 MiB tmpfs that the test fills (the tests run as root). Writes refused on the full node
 * ({@code storage_failed}) take effect nowhere, not on a and not on b; writes to b that a cannot
 * journal are not in a's digest; once the disk is freed the nodes converge without a restart.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DiskFullIT {

    private static final Duration CONVERGE = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private Path mount;
    private NodeProcess a;
    private NodeProcess b;

    @AfterEach
    void stop() throws Exception {
        NodeProcess.closeAll(b, a);
        if (mount != null) {
            SmallDisk.unmount(mount);
        }
    }

    @Test
    void writesRefusedOnAFullDiskTakeEffectNowhereAndTheNodesConvergeOnceItHasRoom() throws Exception {
        List<String> sync = LoopbackSync.options("cluster,api",
                "-Xmx160m", "-Dacp.cluster.sync.secret=disk-full-test-secret-0123456789");
        Path aDir = Files.createDirectories(dir.resolve("a"));
        mount = Files.createDirectories(aDir.resolve("data")); // NodeProcess's data dir of a
        SmallDisk.mount(mount, "16m");
        a = NodeProcess.start("a", aDir, List.of(), sync);
        b = NodeProcess.start("b", Files.createDirectories(dir.resolve("b")), List.of(), sync);
        Set<String> acked = new HashSet<>();
        try (ApiClient api = a.client()) {
            for (int i = 0; i < 5; i++) {
                put(api, "before" + i);
                acked.add("before" + i);
            }
        }
        Convergence.await(List.of(a, b), acked, CONVERGE);

        Path filler = SmallDisk.fill(mount);
        List<String> refused = new ArrayList<>();
        try (ApiClient api = a.client()) {
            // The journal's preallocated zeros (about 1 MiB) were reserved before the disk filled:
            // writes that fit in them are durable and acknowledged; refusals start once they are used.
            for (int i = 0; refused.size() < 40 && i < 1000; i++) {
                try {
                    put(api, "full" + i);
                    acked.add("full" + i);
                } catch (AcpException e) {
                    assertThat(e.code()).as("%s", e.getMessage()).isEqualTo(ErrorCode.STORAGE_FAILED);
                    assertThat(e.getMessage()).contains("No space left on device");
                    refused.add("full" + i);
                }
            }
        }
        assertThat(refused).as("writes refused on the full disk").hasSizeGreaterThan(30);
        try (ApiClient api = b.client()) {
            for (int i = 0; i < 10; i++) {
                put(api, "onb" + i); // a cannot journal these while full
                acked.add("onb" + i);
            }
        }
        Thread.sleep(3000); // three anti-entropy intervals: time enough for a refused write to leak
        for (NodeProcess n : List.of(a, b)) {
            Map<String, String> objects = Convergence.objects(n);
            assertThat(objects.keySet()).as("objects on %s while a's disk is full", n.id()).doesNotContainAnyElementsOf(refused);
        }
        assertThat(Convergence.objects(a).keySet()).as("b's writes on a before it has room").doesNotContain("onb0");

        Files.delete(filler);
        long took = Convergence.await(List.of(a, b), acked, CONVERGE);
        for (NodeProcess n : List.of(a, b)) {
            assertThat(Convergence.objects(n).keySet()).as("objects on %s after the disk was freed", n.id()).doesNotContainAnyElementsOf(refused);
        }
        assertThat(a.alive()).isTrue();
        assertThat(b.alive()).isTrue();
        System.out.printf("converged %d ms after the disk was freed, without a restart%n", took);
    }

    private static void put(ApiClient api, String id) {
        api.call("cluster", "put", Json.object().put("type", "alarm").put("id", id)
                .set("spec", Json.object().put("pad", "p".repeat(4000))));
    }
}
