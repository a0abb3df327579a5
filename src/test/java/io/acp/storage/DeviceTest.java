package io.acp.storage;

import static io.acp.storage.StorageNode.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.ObjectEntry;
import io.acp.storage.common.MountTable;
import io.acp.storage.common.Reports;
import io.acp.storage.device.Devices;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Devices from this machine's real /sys/block and /proc/diskstats, and a loop device that comes and goes. */
class DeviceTest {

    @TempDir
    Path dir;
    StorageNode node;
    String loop;

    @BeforeEach
    void start() {
        node = StorageNode.start(dir);
    }

    @AfterEach
    void stop() {
        if (loop != null) {
            Mounts.quietly("losetup", "-d", loop);
        }
        node.close();
    }

    @Test
    void theRootDiskIsReportedWithItsSizeMountAndIoCounters() throws Exception {
        String root = rootDisk();
        String id = Devices.id("n1", root);
        ObjectEntry object = node.cdb.object(Reports.key(id)).orElseThrow();
        assertThat(object.subtype()).isEqualTo("device");
        assertThat(object.spec().path("node").asText()).isEqualTo("n1");
        assertThat(object.spec().path("name").asText()).isEqualTo(root);
        assertThat(object.spec().has("rotational")).isTrue();

        JsonNode meta = node.meta(id);
        long size = Long.parseLong(Files.readString(Path.of("/sys/block", root, "size")).strip()) * 512;
        assertThat(meta.path("state").asText()).isEqualTo("present");
        assertThat(meta.path("size").asLong()).isEqualTo(size);
        assertThat(meta.path("inUse").asBoolean()).isTrue();
        assertThat(meta.path("usedBy").toString()).contains("mounted at /");

        // Counters are what /proc/diskstats says; a second sample adds rates.
        Files.writeString(dir.resolve("io"), "x".repeat(1 << 20));
        Mounts.run("sync");
        await(node.storage().sample());
        Map<String, Double> stats = node.stats(id);
        assertThat(stats).containsKeys("readBytes", "writeBytes", "readOps", "writeOps", "ioMillis", "readBytesPerSec", "writeBytesPerSec", "busy");
        assertThat(stats.get("writeBytes")).isPositive();
        long sectorsWritten = Long.parseLong(diskstatsLine(root)[9]);
        assertThat(stats.get("writeBytes")).isLessThanOrEqualTo(sectorsWritten * 512.0);
        assertThat(stats.get("busy")).isBetween(0.0, 1.0);
    }

    @Test
    void aLoopDeviceThatIsDetachedIsGone() throws Exception {
        Path image = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(16L << 20);
        }
        loop = Mounts.run("losetup", "-f", "--show", image.toString()).strip();
        String name = loop.substring("/dev/".length());
        String id = Devices.id("n1", name);

        await(node.storage().reconcile());
        JsonNode meta = node.meta(id);
        assertThat(meta.path("state").asText()).isEqualTo("present");
        assertThat(meta.path("size").asLong()).isEqualTo(16L << 20);
        assertThat(meta.path("inUse").asBoolean()).isFalse();

        Mounts.run("losetup", "-d", loop);
        loop = null;
        await(node.storage().reconcile());
        meta = node.meta(id);
        assertThat(meta.path("state").asText()).isEqualTo("gone");
        assertThat(meta.path("problem").asText()).isEqualTo("device " + name + " is no longer present on node n1");
        assertThat(node.cdb.object(Reports.key(id))).as("the object stays, for the operator to see").isPresent();
    }

    /** The device mounted at /, per the mount table (e.g. vda). */
    private static String rootDisk() throws Exception {
        String source = MountTable.read(Path.of("/proc/self/mountinfo")).at(Path.of("/")).orElseThrow().source();
        return source.substring("/dev/".length());
    }

    private static String[] diskstatsLine(String name) throws Exception {
        return Files.readAllLines(Path.of("/proc/diskstats")).stream().map(l -> l.trim().split("\\s+")).filter(f -> f[2].equals(name)).findFirst().orElseThrow();
    }
}
