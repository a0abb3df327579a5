package io.acp.storage;

import static io.acp.storage.StorageNode.await;
import static io.acp.storage.StorageNode.spec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.storage.common.MountTable;
import io.acp.storage.common.Reports;
import io.acp.testing.Eventually;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real hung mount: a FUSE filesystem (bindfs) whose daemon is stopped with SIGSTOP, so every
 * statvfs on it blocks in the kernel, as on a dead NFS server with a hard mount. The pool on it
 * turns unavailable within the probe timeout while the other pool, the ticks and reads go on.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HungMountTest {

    @TempDir
    Path dir;
    Path fuse;
    Process bindfs;
    StorageNode node;

    @BeforeEach
    void start() {
        node = StorageNode.start(dir, TestStorageConfig.in(dir).withIntervals(Duration.ofMillis(200), Duration.ofHours(1)));
    }

    /** Mounts a bindfs of an empty directory at {@code target}. */
    private void mountFuse(Path target) throws Exception {
        Path source = Files.createDirectories(dir.resolve("fuse-source"));
        fuse = Files.createDirectories(target);
        bindfs = new ProcessBuilder("bindfs", "-f", source.toString(), fuse.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("bindfs.log").toFile()).start();
        Eventually.await(Duration.ofSeconds(10), () -> MountTable.read(Path.of("/proc/self/mountinfo")).at(fuse).isPresent(), "bindfs mounts " + fuse);
    }

    private void hang() throws Exception {
        new ProcessBuilder("kill", "-STOP", Long.toString(bindfs.pid())).start().waitFor();
    }

    @AfterEach
    void unmount() throws Exception {
        // Killing the daemon aborts the FUSE connection: blocked statvfs calls return, the probe threads end.
        if (bindfs != null) {
            bindfs.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            Mounts.quietly("umount", "-l", fuse.toString());
        }
        node.close();
    }

    @Test
    void aHungShareIsReportedFailedAndCanStillBeRemoved() throws Exception {
        Path mountPoint = dir.resolve("shares/s1");
        mountFuse(mountPoint);
        Storage s = node.storage();
        await(s.addShare("s1", spec("{\"protocol\":\"nfs\",\"source\":\"127.0.0.1:/export\"}"))); // adopts the mount there
        assertThat(node.meta("s1").path("state").asText()).isEqualTo("mounted");

        hang();
        Eventually.await(Duration.ofSeconds(10), () -> node.meta("s1").path("state").asText().equals("failed"),
                () -> "share s1 turns failed, meta " + node.meta("s1"));
        assertThat(node.meta("s1").path("problem").asText()).contains("statvfs of share s1 at " + mountPoint + " on node n1")
                .containsAnyOf("did not answer within 500 ms", "still has not answered after");

        // A dead server must not keep a share: a normal unmount that fails or hangs is followed by a lazy one.
        await(s.removeShare("s1"));
        assertThat(MountTable.read(Path.of("/proc/self/mountinfo")).at(mountPoint)).isEmpty();
        assertThat(node.cdb.object(Reports.key("s1"))).isEmpty();
    }

    @Test
    void aHungPoolIsReportedUnavailableAndNothingElseWaits() throws Exception {
        mountFuse(dir.resolve("roots/fuse"));
        Storage s = node.storage();
        await(s.createPool("remote", spec("{\"kind\":\"dir\",\"path\":\"" + fuse.resolve("vm") + "\"}")));
        await(s.createPool("local", spec("{\"kind\":\"dir\",\"path\":\"" + dir.resolve("roots/local") + "\"}")));
        assertThat(node.meta("remote").path("state").asText()).isEqualTo("ok");

        hang();
        Eventually.await(Duration.ofSeconds(10), () -> node.meta("remote").path("state").asText().equals("unavailable"),
                () -> "pool remote turns unavailable, meta " + node.meta("remote"));
        assertThat(node.meta("remote").path("problem").asText()).contains("statvfs/report of pool remote on node n1")
                .containsAnyOf("did not answer within 500 ms", "still has not answered after");

        // The healthy pool keeps getting fresh stats from the 200 ms ticks.
        long before = latestStatsMillis("local");
        Eventually.await(Duration.ofSeconds(5), () -> latestStatsMillis("local") > before, "pool local gets new stats while remote hangs");
        assertThat(node.meta("local").path("state").asText()).isEqualTo("ok");

        // Reads answer from the CDB at once, the hung pool's too.
        JsonNode list = await(s.list());
        assertThat(list).anySatisfy(p -> assertThat(p.path("id").asText()).isEqualTo("remote"));
        JsonNode show = await(s.show("local"));
        assertThat(show.path("meta").path("state").asText()).isEqualTo("ok");
        JsonNode remote = await(s.show("remote"));
        assertThat(remote.path("meta").path("state").asText()).isEqualTo("unavailable");
        assertThat(remote.path("volumes").isNull()).as("no volume listing from a hung pool").isTrue();

        // Changes to the hung pool are refused at once with the reason, instead of hanging a thread each.
        DirPoolTest.assertCode(() -> await(s.createVolume("remote", "v1", "1M", "raw")), io.acp.protocol.ErrorCode.UNAVAILABLE,
                "statvfs/report of pool remote on node n1");

        // One thread per hung key, not one per tick.
        assertThat(node.service.busyProbes()).isLessThanOrEqualTo(3);

        new ProcessBuilder("kill", "-CONT", Long.toString(bindfs.pid())).start().waitFor();
        Eventually.await(Duration.ofSeconds(10), () -> node.meta("remote").path("state").asText().equals("ok"), "pool remote recovers once the mount answers");
    }

    private long latestStatsMillis(String id) {
        return node.cdb.stats(Reports.key(id), StorageNode.NODE).stream().findFirst().map(e -> e.version().millis()).orElse(0L);
    }
}
