package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The hypervisor's node figures: huge pages from the real /proc/meminfo, every stats tick. */
class NodeStatsTest {

    @Test
    void hugepagesOfThisMachineArePublishedOnTheHypervisorService() throws Exception {
        Map<String, Double> expected = NodeHugepages.parse(Files.readAllLines(Path.of("/proc/meminfo")));
        assertThat(expected).containsKeys("hugepagesTotal", "hugepagesFree", "hugepageSize");
        try (LibvirtNode node = LibvirtNode.start()) {
            node.service.sampleStatsNow().await().atMost(LibvirtNode.WAIT);

            List<StatsEntry> stats = node.cdb.stats(ObjectKey.of(ObjectType.SERVICE, LibvirtNode.NODE + ":hypervisor"), LibvirtNode.NODE);
            assertThat(stats).hasSize(1);
            assertThat(stats.get(0).values().get("hugepageSize")).isEqualTo(expected.get("hugepageSize")).isPositive();
            assertThat(stats.get(0).values().get("hugepagesTotal")).isEqualTo(expected.get("hugepagesTotal"));
            assertThat(stats.get(0).values()).containsKey("systemsRunning");
        }
    }

    @Test
    void meminfoLinesAreReadWithTheirUnits() {
        Map<String, Double> v = NodeHugepages.parse(List.of("MemTotal:       24684180 kB", "HugePages_Total:      16",
                "HugePages_Free:       10", "Hugepagesize:       2048 kB"));

        assertThat(v).containsEntry("hugepagesTotal", 16.0).containsEntry("hugepagesFree", 10.0).containsEntry("hugepageSize", 2048.0 * 1024);
    }
}
