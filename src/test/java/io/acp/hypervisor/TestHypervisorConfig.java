package io.acp.hypervisor;

import java.time.Duration;

/** Hypervisor settings for tests: long intervals so a test drives the reconcile itself. */
record TestHypervisorConfig(String uri, Duration reconcileInterval, Duration statsInterval, Duration shutdownTimeout)
        implements HypervisorConfig {

    @Override
    public java.util.Optional<String> migrationUri() {
        return java.util.Optional.empty();
    }

    @Override
    public String accelerator() {
        return "auto";
    }

    @Override
    public boolean migrationSharedStorage() {
        return false;
    }

    @Override
    public java.util.Optional<Duration> migrationMaxDowntime() {
        return java.util.Optional.empty();
    }

    /** The paths and bridge the lifecycle tests' specs name. */
    @Override
    public java.util.Optional<java.util.List<java.nio.file.Path>> allowedDevicePaths() {
        return java.util.Optional.of(java.util.List.of(java.nio.file.Path.of("/var/lib/acp")));
    }

    @Override
    public java.util.Optional<java.util.List<String>> allowedBridges() {
        return java.util.Optional.of(java.util.List.of("acpbr0"));
    }

    static TestHypervisorConfig testDriver() {
        return new TestHypervisorConfig("test:///default", Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(5));
    }

    TestHypervisorConfig withUri(String other) {
        return new TestHypervisorConfig(other, reconcileInterval, statsInterval, shutdownTimeout);
    }
}
