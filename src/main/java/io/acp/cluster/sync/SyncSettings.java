package io.acp.cluster.sync;

import io.acp.cluster.ClusterConfig;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The settings of one node's sync, as a value: built from {@link ClusterConfig.Sync} in the
 * service, and directly by tests (with short timeouts). Keys are documented in docs/configuration.md.
 */
public record SyncSettings(String clusterId, String secret, Optional<String> previousSecret,
                           Mode mode, String group, int port, String multicastInterface, int ttl, String unicastBind, List<String> peers,
                           Duration flushInterval, Duration maxLinger, int maxPendingDeltas, Duration heartbeatInterval, Duration suspectAfter, Duration deadAfter,
                           Duration antiEntropyInterval, int antiEntropyMaxBytes,
                           int maxDatagramBytes, Duration reassemblyTimeout, long reassemblyMaxBytes) {

    /** How datagrams reach the other nodes. */
    public enum Mode {
        /** One multicast group per L2 domain. */
        MULTICAST,
        /** One datagram per configured peer, for networks without multicast. */
        UNICAST;

        static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.name().equalsIgnoreCase(s)) {
                    return m;
                }
            }
            throw new IllegalArgumentException("acp.cluster.sync.mode '" + s + "' is neither multicast nor unicast");
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static SyncSettings from(ClusterConfig.Sync c) {
        return from(c, c.secret().orElseThrow(() -> new IllegalArgumentException(
                "cluster sync is enabled but acp.cluster.sync.secret is not set; every node of cluster '" + c.clusterId() + "' needs the same secret")));
    }

    /** The settings with the secret given (the configured one, or the cluster's from its PKI directory). */
    public static SyncSettings from(ClusterConfig.Sync c, String secret) {
        return new SyncSettings(c.clusterId(), secret, c.previousSecret(), Mode.parse(c.mode()), c.group(), c.port(), c.multicastInterface(), c.ttl(),
                c.unicastBind(), c.peers().orElse(List.of()),
                c.flushInterval(), c.maxLinger(), c.maxPendingDeltas(), c.heartbeatInterval(), c.suspectAfter(), c.deadAfter(),
                c.antiEntropyInterval(), c.antiEntropyMaxBytes(), c.maxDatagramBytes(), c.reassemblyTimeout(), c.reassemblyMaxBytes());
    }

    /** The documented defaults, for a group and port of one's choosing (tests). */
    public static SyncSettings defaults(String clusterId, String secret, String group, int port) {
        return new SyncSettings(clusterId, secret, Optional.empty(), Mode.MULTICAST, group, port, "lo", 1, "0.0.0.0:7447", List.of(),
                Duration.ofMillis(5), Duration.ofMillis(20), 4096, Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(6),
                Duration.ofSeconds(1), 262_144, 1400, Duration.ofSeconds(2), 4L << 20);
    }

    public SyncSettings withTimings(Duration heartbeat, Duration suspect, Duration dead, Duration antiEntropy) {
        return new SyncSettings(clusterId, secret, previousSecret, mode, group, port, multicastInterface, ttl, unicastBind, peers,
                flushInterval, maxLinger, maxPendingDeltas, heartbeat, suspect, dead, antiEntropy, antiEntropyMaxBytes, maxDatagramBytes, reassemblyTimeout, reassemblyMaxBytes);
    }

    public SyncSettings withFlushInterval(Duration flush) {
        return new SyncSettings(clusterId, secret, previousSecret, mode, group, port, multicastInterface, ttl, unicastBind, peers,
                flush, maxLinger, maxPendingDeltas, heartbeatInterval, suspectAfter, deadAfter, antiEntropyInterval, antiEntropyMaxBytes, maxDatagramBytes,
                reassemblyTimeout, reassemblyMaxBytes);
    }

    /** The bundler's limits under load: the longest a delta waits for its bundle to fill, and the most slots waiting. */
    public SyncSettings withBundling(Duration linger, int maxPending) {
        return new SyncSettings(clusterId, secret, previousSecret, mode, group, port, multicastInterface, ttl, unicastBind, peers,
                flushInterval, linger, maxPending, heartbeatInterval, suspectAfter, deadAfter, antiEntropyInterval, antiEntropyMaxBytes, maxDatagramBytes,
                reassemblyTimeout, reassemblyMaxBytes);
    }

    /** The settings with a second accepted secret (the other key slot, during a rotation). */
    public SyncSettings withPreviousSecret(Optional<String> previous) {
        return new SyncSettings(clusterId, secret, previous, mode, group, port, multicastInterface, ttl, unicastBind, peers,
                flushInterval, maxLinger, maxPendingDeltas, heartbeatInterval, suspectAfter, deadAfter, antiEntropyInterval, antiEntropyMaxBytes, maxDatagramBytes,
                reassemblyTimeout, reassemblyMaxBytes);
    }

    public SyncSettings withSecret(String newSecret) {
        return new SyncSettings(clusterId, newSecret, previousSecret, mode, group, port, multicastInterface, ttl, unicastBind, peers,
                flushInterval, maxLinger, maxPendingDeltas, heartbeatInterval, suspectAfter, deadAfter, antiEntropyInterval, antiEntropyMaxBytes, maxDatagramBytes,
                reassemblyTimeout, reassemblyMaxBytes);
    }

    public SyncSettings withClusterId(String newClusterId) {
        return new SyncSettings(newClusterId, secret, previousSecret, mode, group, port, multicastInterface, ttl, unicastBind, peers,
                flushInterval, maxLinger, maxPendingDeltas, heartbeatInterval, suspectAfter, deadAfter, antiEntropyInterval, antiEntropyMaxBytes, maxDatagramBytes,
                reassemblyTimeout, reassemblyMaxBytes);
    }

    /** The unicast fallback: listen on {@code bind}, send to every one of {@code peerAddresses}. */
    public SyncSettings withUnicast(String bind, List<String> peerAddresses) {
        return new SyncSettings(clusterId, secret, previousSecret, Mode.UNICAST, group, port, multicastInterface, ttl, bind, List.copyOf(peerAddresses),
                flushInterval, maxLinger, maxPendingDeltas, heartbeatInterval, suspectAfter, deadAfter, antiEntropyInterval, antiEntropyMaxBytes, maxDatagramBytes,
                reassemblyTimeout, reassemblyMaxBytes);
    }

    @Override
    public String toString() {
        // never print the secrets
        return mode == Mode.MULTICAST
                ? "SyncSettings[cluster " + clusterId + ", multicast " + group + ":" + port + " on " + multicastInterface + ", ttl " + ttl + "]"
                : "SyncSettings[cluster " + clusterId + ", unicast on " + unicastBind + " to " + peers + "]";
    }
}
