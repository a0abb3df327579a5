package io.acp.cluster.sync;

import io.acp.cluster.ClusterConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * The settings of one node's sync, as a value: built from {@link ClusterConfig.Sync} in the
 * service, and directly by tests (with short timeouts). Keys are documented in docs/configuration.md.
 */
public record SyncSettings(String clusterId, String secret, Optional<String> previousSecret,
                           String group, int port, String multicastInterface, int ttl,
                           Duration flushInterval, Duration heartbeatInterval, Duration suspectAfter, Duration deadAfter,
                           Duration antiEntropyInterval, int antiEntropyMaxBytes,
                           int maxDatagramBytes, Duration reassemblyTimeout, long reassemblyMaxBytes) {

    public static SyncSettings from(ClusterConfig.Sync c) {
        String secret = c.secret().orElseThrow(() -> new IllegalArgumentException(
                "cluster sync is enabled but acp.cluster.sync.secret is not set; every node of cluster '" + c.clusterId() + "' needs the same secret"));
        return new SyncSettings(c.clusterId(), secret, c.previousSecret(), c.group(), c.port(), c.multicastInterface(), c.ttl(),
                c.flushInterval(), c.heartbeatInterval(), c.suspectAfter(), c.deadAfter(),
                c.antiEntropyInterval(), c.antiEntropyMaxBytes(), c.maxDatagramBytes(), c.reassemblyTimeout(), c.reassemblyMaxBytes());
    }

    /** The documented defaults, for a group and port of one's choosing (tests). */
    public static SyncSettings defaults(String clusterId, String secret, String group, int port) {
        return new SyncSettings(clusterId, secret, Optional.empty(), group, port, "lo", 1,
                Duration.ofMillis(5), Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(6),
                Duration.ofSeconds(1), 262_144, 1400, Duration.ofSeconds(2), 4L << 20);
    }

    public SyncSettings withTimings(Duration heartbeat, Duration suspect, Duration dead, Duration antiEntropy) {
        return new SyncSettings(clusterId, secret, previousSecret, group, port, multicastInterface, ttl,
                flushInterval, heartbeat, suspect, dead, antiEntropy, antiEntropyMaxBytes, maxDatagramBytes, reassemblyTimeout, reassemblyMaxBytes);
    }

    public SyncSettings withSecret(String newSecret) {
        return new SyncSettings(clusterId, newSecret, previousSecret, group, port, multicastInterface, ttl,
                flushInterval, heartbeatInterval, suspectAfter, deadAfter, antiEntropyInterval, antiEntropyMaxBytes, maxDatagramBytes,
                reassemblyTimeout, reassemblyMaxBytes);
    }

    public SyncSettings withClusterId(String newClusterId) {
        return new SyncSettings(newClusterId, secret, previousSecret, group, port, multicastInterface, ttl,
                flushInterval, heartbeatInterval, suspectAfter, deadAfter, antiEntropyInterval, antiEntropyMaxBytes, maxDatagramBytes,
                reassemblyTimeout, reassemblyMaxBytes);
    }

    @Override
    public String toString() {
        // never print the secrets
        return "SyncSettings[cluster " + clusterId + ", group " + group + ":" + port + " on " + multicastInterface + ", ttl " + ttl + "]";
    }
}
