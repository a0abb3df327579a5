package io.acp.storage.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** /proc/diskstats as storage reads it (moved out of ParsingTest with the device package). */
class DiskStatsTest {

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
}
