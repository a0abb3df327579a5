package io.acp.storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Storage settings for tests: ticks an hour apart (the test drives them), short probe timeouts, LVM without activation, libvirt's test driver. */
public record TestStorageConfig(String defaultPool, Optional<List<Path>> allowedRoots, Optional<Path> mountDir, int nearFullPercent, int fullPercent,
        Duration statsInterval, Duration reconcileInterval, Duration probeTimeout, Duration commandTimeout, String libvirtUri, Lvm lvm) implements StorageConfig {

        public Optional<List<String>> privilegedShareOptions() {
            return Optional.empty();
        }


    public static TestStorageConfig in(Path dir) {
        return new TestStorageConfig("default", Optional.of(List.of(dir.resolve("roots"))), Optional.of(dir.resolve("shares")), 90, 98,
                Duration.ofHours(1), Duration.ofHours(1), Duration.ofMillis(500), Duration.ofSeconds(20), "test:///default", () -> false);
    }

    TestStorageConfig withIntervals(Duration stats, Duration reconcile) {
        return new TestStorageConfig(defaultPool, allowedRoots, mountDir, nearFullPercent, fullPercent, stats, reconcile, probeTimeout, commandTimeout, libvirtUri, lvm);
    }

    TestStorageConfig withThresholds(int nearFull, int full) {
        return new TestStorageConfig(defaultPool, allowedRoots, mountDir, nearFull, full, statsInterval, reconcileInterval, probeTimeout, commandTimeout, libvirtUri, lvm);
    }
}
