package io.acp.storage.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The text formats storage reads: mountinfo, sizes (diskstats: {@code device.DiskStatsTest}). */
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
    void sizesAcceptBytesAndBinarySuffixes() {
        assertThat(Sizes.parse("size", "1024")).isEqualTo(1024);
        assertThat(Sizes.parse("size", "512M")).isEqualTo(512L << 20);
        assertThat(Sizes.parse("size", "10g")).isEqualTo(10L << 30);
        assertThat(Sizes.parse("size", "1TiB")).isEqualTo(1L << 40);
        assertThat(Sizes.parse("size", "4KB")).isEqualTo(4096);
        for (String bad : List.of("", "-1", "0", "1.5G", "G", "2000T", "99999999999999999999")) {
            assertThatThrownBy(() -> Sizes.parse("size", bad)).isInstanceOfSatisfying(AcpException.class, e -> {
                assertThat(e.code()).as(e.getMessage()).isEqualTo(ErrorCode.BAD_REQUEST);
                assertThat(e.getMessage()).contains("size must be");
            });
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
