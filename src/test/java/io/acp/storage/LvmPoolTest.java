package io.acp.storage;

import static io.acp.storage.StorageNode.await;
import static io.acp.storage.StorageNode.spec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.Reports;
import io.acp.storage.device.Devices;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An lvm pool on a real volume group on a loop device the test creates and removes. This kernel
 * has no device-mapper, so LVM runs with activation off (acp.storage.lvm.activation=false):
 * volumes are created, grown and removed in the VG's metadata, which {@code lvs} then shows.
 */
class LvmPoolTest {

    private static final String ACTIVATION_OFF = "global { activation = 0 }";

    @TempDir
    Path dir;
    String vg = "acptest" + ProcessHandle.current().pid() + "x" + Long.toString(System.nanoTime() % 1_000_000, 36);
    String loop;
    StorageNode node;

    @BeforeEach
    void createVolumeGroup() throws Exception {
        Path image = dir.resolve("pv.img");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(64L << 20);
        }
        loop = Mounts.run("losetup", "-f", "--show", image.toString()).strip();
        Mounts.run("pvcreate", "--config", ACTIVATION_OFF, loop);
        Mounts.run("vgcreate", "--config", ACTIVATION_OFF, vg, loop);
        node = StorageNode.start(dir);
    }

    @AfterEach
    void removeVolumeGroup() {
        if (node != null) {
            node.close();
        }
        Mounts.quietly("vgremove", "--config", ACTIVATION_OFF, "-f", "-y", vg);
        if (loop != null) {
            Mounts.quietly("pvremove", "--config", ACTIVATION_OFF, "-y", loop);
            Mounts.quietly("losetup", "-d", loop);
        }
    }

    @Test
    void volumesAreCreatedGrownAndRemovedInTheVolumeGroup() {
        Storage s = node.storage();
        await(s.createPool("fast", spec("{\"kind\":\"lvm\",\"vg\":\"" + vg + "\"}")));
        JsonNode meta = node.meta("fast");
        assertThat(meta.path("state").asText()).isEqualTo("ok");
        assertThat(meta.path("kind").asText()).isEqualTo("lvm");
        assertThat(meta.path("path").asText()).isEqualTo("/dev/" + vg);
        double capacity = node.stats("fast").get("capacity");
        assertThat(capacity).isEqualTo(60.0 * 1024 * 1024); // 64 MiB less the PV's metadata, in 4 MiB extents
        assertThat(node.stats("fast").get("free")).isEqualTo(capacity);

        JsonNode v = await(s.createVolume("fast", "vm1", "8M", null));
        assertThat(v.path("path").asText()).isEqualTo("/dev/" + vg + "/vm1");
        assertThat(v.path("capacity").asLong()).isEqualTo(8L << 20);
        assertThat(lvs()).contains("vm1 " + (8L << 20));
        assertThat(node.stats("fast").get("free")).isEqualTo(capacity - (8 << 20));
        assertThat(node.stats("fast").get("allocation")).isEqualTo(8.0 * 1024 * 1024);

        await(s.resizeVolume("fast", "vm1", "12M"));
        assertThat(lvs()).contains("vm1 " + (12L << 20));

        DirPoolTest.assertCode(() -> await(s.createVolume("fast", "vm1", "4M", null)), ErrorCode.CONFLICT, "volume vm1 exists in pool fast on node n1");
        DirPoolTest.assertCode(() -> await(s.createVolume("fast", "huge", "1G", null)), ErrorCode.CONFLICT,
                "out of space: pool fast (volume group " + vg + ") on node n1 has 48.0 MiB free, volume huge needs 1.0 GiB");
        DirPoolTest.assertCode(() -> await(s.createVolume("fast", "q", "4M", "qcow2")), ErrorCode.BAD_REQUEST, "its volumes are raw block devices");
        DirPoolTest.assertCode(() -> await(s.resizeVolume("fast", "vm1", "4M")), ErrorCode.BAD_REQUEST, "would lose data");
        DirPoolTest.assertCode(() -> await(s.deletePool("fast")), ErrorCode.CONFLICT, "has 1 volume(s) (vm1)");

        JsonNode shown = await(s.show("fast"));
        assertThat(shown.path("volumes")).extracting(x -> x.path("name").asText()).containsExactly("vm1");

        await(s.deleteVolume("fast", "vm1"));
        assertThat(lvs()).isEmpty();
        await(s.deletePool("fast"));
        assertThat(node.cdb.object(Reports.key("fast"))).isEmpty();
    }

    @Test
    void aMissingVolumeGroupIsRefusedAndLeavesNoPool() {
        Storage s = node.storage();
        DirPoolTest.assertCode(() -> await(s.createPool("ghost", spec("{\"kind\":\"lvm\",\"vg\":\"" + vg + "-none\"}"))), ErrorCode.UNAVAILABLE,
                "pool ghost: volume group " + vg + "-none does not exist on node n1");
        assertThat(node.cdb.object(Reports.key("ghost"))).isEmpty();
    }

    @Test
    void theVolumeGroupShowsTheLoopDeviceAsInUse() {
        await(node.storage().reconcile());
        String name = loop.substring("/dev/".length());
        JsonNode meta = node.meta(Devices.id(StorageNode.NODE, name));
        assertThat(meta.path("state").asText()).isEqualTo("present");
        assertThat(meta.path("inUse").asBoolean()).isTrue();
        assertThat(meta.path("usedBy").toString()).contains("LVM PV of " + vg);
    }

    /** "name size" per LV of the VG, as LVM itself reports it. */
    private List<String> lvs() {
        String out = Mounts.run("lvs", "--config", ACTIVATION_OFF, "--noheadings", "--units", "b", "--nosuffix", "-o", "lv_name,lv_size", vg);
        return out.lines().map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.replaceAll("\\s+", " ")).toList();
    }
}
