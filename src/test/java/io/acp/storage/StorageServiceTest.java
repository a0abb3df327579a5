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

    /**
     * A default pool whose object never becomes durable (a journal that never acknowledges) holds
     * up the storage service's start only for its bound: the service starts without it and says
     * why, where it waited forever before.
     */
    @Test
    void aDefaultPoolThatIsNeverStoredDoesNotHoldUpTheStart() throws Exception {
        io.acp.cluster.Cdb cdb = new io.acp.cluster.Cdb("n1", new io.acp.model.HybridClock(), neverDurable(), 5);
        TestStorageConfig c = TestStorageConfig.in(dir);
        TestStorageConfig quick = new TestStorageConfig("default", c.allowedRoots(), c.mountDir(), 90, 98, c.statsInterval(), c.reconcileInterval(),
                c.probeTimeout(), Duration.ofMillis(200), c.libvirtUri(), c.lvm());
        StorageService service = new StorageService(quick, "n1", dir.resolve("data"), () -> cdb);
        // no devices, mounts or shares, so the default pool is the start's only write
        java.nio.file.Path sys = java.nio.file.Files.createDirectories(dir.resolve("sys"));
        java.nio.file.Path proc = java.nio.file.Files.createDirectories(dir.resolve("proc/self"));
        java.nio.file.Files.writeString(proc.resolve("mountinfo"), "");
        try (io.acp.testing.LogCapture log = new io.acp.testing.LogCapture(StorageService.class.getName())) {
            service.start(StorageService.settings(quick, dir.resolve("data")).withRoots(sys, proc.getParent())).await().atMost(Duration.ofSeconds(20));
            assertThat(log.lines()).anyMatch(l -> l.contains("storage of node n1: no default pool default: storing and realising it took over"));
            assertThat(service.storage()).isNotNull();
        } finally {
            service.stop().await().atMost(Duration.ofSeconds(10));
        }
    }

    /**
     * A first reconcile that waits on a device's object write names that write and how many of
     * the CDB's writes are still waiting for the journal, so a start that never ends says whether
     * the journal holds the write or the write's answer was lost on the way.
     */
    @Test
    void aStartWaitingOnADeviceWriteNamesTheWriteAndWhatTheJournalHolds() {
        io.acp.cluster.Cdb cdb = new io.acp.cluster.Cdb("n1", new io.acp.model.HybridClock(), neverDurable(), 5);
        TestStorageConfig c = TestStorageConfig.in(dir);
        TestStorageConfig none = new TestStorageConfig("none", c.allowedRoots(), c.mountDir(), 90, 98, c.statsInterval(), c.reconcileInterval(),
                c.probeTimeout(), c.commandTimeout(), c.libvirtUri(), c.lvm());
        StorageService service = new StorageService(none, "n1", dir.resolve("data"), () -> cdb);
        // this machine's real block devices: the first one's object is the write that never becomes durable
        io.smallrye.mutiny.subscription.Cancellable start = service.start(StorageService.settings(none, dir.resolve("data")))
                .subscribe().with(ok -> { }, f -> { });
        try {
            Eventually.await(Duration.ofSeconds(20), () -> String.valueOf(service.startStep()).contains("storing device object"),
                    "the start reaches its first device write");
            assertThat(service.startStep())
                    .startsWith("the first reconcile of devices, shares and pools: storing device object storage/n1:")
                    .contains(" (1 of ")
                    .endsWith("; CDB object writes waiting for the journal: 1");
        } finally {
            start.cancel();
        }
    }

    /** A journal that takes every write and never says it is durable. */
    private static io.acp.cluster.ObjectLog neverDurable() {
        return new io.acp.cluster.ObjectLog() {
            @Override
            public java.util.List<io.acp.model.ObjectEntry> load() {
                return java.util.List.of();
            }

            @Override
            public io.smallrye.mutiny.Uni<Void> append(io.acp.model.ObjectEntry entry) {
                return io.smallrye.mutiny.Uni.createFrom().nothing();
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> compactQueued(java.util.Collection<io.acp.model.ObjectEntry> live) {
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }

            @Override
            public void close() {
            }
        };
    }

    @Test
    void thresholdsOutOfOrderAreRefusedAtStart() {
        TestStorageConfig bad = TestStorageConfig.in(dir).withThresholds(95, 90);
        assertThatThrownBy(() -> StorageService.settings(bad, dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("acp.storage.near-full-percent (95) and full-percent (90) must satisfy 1 <= near-full <= full <= 100");
    }
}
