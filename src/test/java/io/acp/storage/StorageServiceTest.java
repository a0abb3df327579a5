package io.acp.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.Reports;
import io.acp.testing.Eventually;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service's lifecycle: ticks that run by themselves, the default pool, and operations after stop. */
class StorageServiceTest {

    @TempDir
    Path dir;

    @Test
    void ticksSampleByThemselvesAndStopEndsTheOperations() {
        StorageNode node = StorageNode.start(dir, TestStorageConfig.in(dir).withIntervals(Duration.ofMillis(100), Duration.ofMillis(300)));
        try {
            int before = node.cdb.statsHistory(Reports.key("default"), StorageNode.NODE).size();
            Eventually.await(Duration.ofSeconds(10), () -> node.cdb.statsHistory(Reports.key("default"), StorageNode.NODE).size() >= before + 3,
                    "the stats tick samples the default pool again and again");
            assertThat(node.service.health().healthy()).isTrue();
        } finally {
            node.close();
        }
        assertThatThrownBy(() -> node.service.storage()).isInstanceOfSatisfying(AcpException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
            assertThat(e.getMessage()).isEqualTo("storage service on node n1 is not running");
        });
    }

    @Test
    void noDefaultPoolWhenConfiguredSo() {
        TestStorageConfig c = TestStorageConfig.in(dir);
        TestStorageConfig none = new TestStorageConfig("none", c.allowedRoots(), c.mountDir(), 90, 98, c.statsInterval(), c.reconcileInterval(),
                c.probeTimeout(), c.commandTimeout(), c.libvirtUri(), c.lvm());
        StorageNode node = StorageNode.start(dir, none);
        try {
            assertThat(node.cdb.object(Reports.key("default"))).isEmpty();
            assertThat(dir.resolve("data/pools")).doesNotExist();
        } finally {
            node.close();
        }
    }

    @Test
    void thresholdsOutOfOrderAreRefusedAtStart() {
        TestStorageConfig bad = TestStorageConfig.in(dir).withThresholds(95, 90);
        assertThatThrownBy(() -> StorageService.settings(bad, dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("acp.storage.near-full-percent (95) and full-percent (90) must satisfy 1 <= near-full <= full <= 100");
    }
}
