package io.acp.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The text formats storage reads: mountinfo, diskstats, sizes. */
class ParsingTest {

    @Test
    void mountinfoGivesTargetSourceAndTypeWithEscapesUndone() {
        MountTable t = MountTable.parse(List.of(
                "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard",
                "88 27 0:52 / /var/lib/acp/shares/nfs\\0401 rw,relatime shared:5 - nfs4 10.0.0.5:/export/vm rw,vers=4.2",
                "garbage"));
        assertThat(t.mounts()).hasSize(2);
        assertThat(t.at(Path.of("/var/lib/acp/shares/nfs 1")).orElseThrow().source()).isEqualTo("10.0.0.5:/export/vm");
        assertThat(t.at(Path.of("/var/lib/acp/shares/nfs 1")).orElseThrow().fsType()).isEqualTo("nfs4");
        assertThat(t.targetsOf("vda")).containsExactly(Path.of("/"));
        assertThat(t.at(Path.of("/nowhere"))).isEmpty();
    }

    @Test
    void diskstatsCountersAreBytesAndOpsAndRatesComeFromTwoReadings() {
        Map<String, DiskStats.Sample> first = DiskStats.parse(List.of(" 254       0 vda 100 5 2000 50 200 10 4000 80 0 300 130 0 0 0 0"), 0);
        Map<String, DiskStats.Sample> second = DiskStats.parse(List.of(" 254       0 vda 110 5 2200 55 260 10 6000 90 1 800 140 0 0 0 0"), 2_000_000_000L);
        Map<String, Double> v = second.get("vda").values(first.get("vda"));
        assertThat(v).containsEntry("readOps", 110.0).containsEntry("readBytes", 2200.0 * 512).containsEntry("writeOps", 260.0)
                .containsEntry("writeBytes", 6000.0 * 512).containsEntry("ioMillis", 800.0);
        assertThat(v).containsEntry("readOpsPerSec", 5.0).containsEntry("writeBytesPerSec", 2000.0 * 512 / 2).containsEntry("busy", 0.25);
        assertThat(first.get("vda").values(null)).doesNotContainKey("busy");
    }

    @Test
    void sizesAcceptBytesAndBinarySuffixes() {
        assertThat(Sizes.parse("size", "1024")).isEqualTo(1024);
        assertThat(Sizes.parse("size", "512M")).isEqualTo(512L << 20);
        assertThat(Sizes.parse("size", "10g")).isEqualTo(10L << 30);
        assertThat(Sizes.parse("size", "1TiB")).isEqualTo(1L << 40);
        assertThat(Sizes.parse("size", "4KB")).isEqualTo(4096);
        for (String bad : List.of("", "-1", "0", "1.5G", "G", "2000T", "99999999999999999999")) {
            DirPoolTest.assertCode(() -> Sizes.parse("size", bad), io.acp.protocol.ErrorCode.BAD_REQUEST, "size must be");
        }
        assertThat(Sizes.human(3 << 20)).isEqualTo("3.0 MiB");
    }

    @Test
    void usageStatesFollowTheThresholds() {
        assertThat(new Usage(100, 50, 50).state(90, 98)).isEqualTo("ok");
        assertThat(new Usage(100, 91, 9).state(90, 98)).isEqualTo("nearFull");
        assertThat(new Usage(100, 98, 2).state(90, 98)).isEqualTo("full");
        assertThat(new Usage(100, 90, 0).state(90, 98)).as("reserved blocks left, none usable").isEqualTo("full");
        assertThat(new Usage(0, 0, 0).usedPercent()).isEqualTo(100.0);
    }
}
