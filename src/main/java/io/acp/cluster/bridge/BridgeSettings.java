package io.acp.cluster.bridge;

import io.acp.cluster.ClusterConfig;
import java.nio.file.Path;
import java.time.Duration;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.util.List;
import java.util.Optional;

/**
 * Settings of one node's L3 bridge (see {@link ClusterConfig.Bridge}).
 *
 * @param listenPort 0 picks a free port (tests); {@code peer} absent means this side only accepts
 */
public record BridgeSettings(String listenHost, int listenPort, Optional<HostPort> peer, Path remoteCa,
        Duration reconnectBackoff, Duration reconnectBackoffMax, int maxFrameBytes, Writable writable) {

    /** The keys the remote cluster may write here ({@code type/id} or {@code type/*}); empty: none. */
    public record Writable(List<String> patterns) {
        public static final Writable NOTHING = new Writable(List.of());

        public Writable {
            patterns = List.copyOf(patterns);
            for (String p : patterns) {
                int slash = p.indexOf('/');
                if (slash <= 0 || slash == p.length() - 1) {
                    throw new IllegalArgumentException("acp.cluster.bridge.writable entry '" + p + "' is not type/id or type/*");
                }
                ObjectType.parse(p.substring(0, slash));
            }
        }

        public boolean allows(ObjectKey key) {
            for (String p : patterns) {
                int slash = p.indexOf('/');
                String id = p.substring(slash + 1);
                if (p.substring(0, slash).equals(key.type().wireName()) && (id.equals("*") || id.equals(key.id()))) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A {@code host:port} the bridge connects to. */
    public record HostPort(String host, int port) {
        public static HostPort parse(String s) {
            int colon = s.lastIndexOf(':');
            if (colon <= 0 || colon == s.length() - 1) {
                throw new IllegalArgumentException("bridge peer '" + s + "' is not host:port");
            }
            return new HostPort(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public BridgeSettings {
        if (maxFrameBytes < 1024) {
            throw new IllegalArgumentException("acp.cluster.bridge.max-frame-bytes must be at least 1024, not " + maxFrameBytes);
        }
        if (reconnectBackoff.isNegative() || reconnectBackoff.isZero() || reconnectBackoffMax.compareTo(reconnectBackoff) < 0) {
            throw new IllegalArgumentException("bridge reconnect backoff " + reconnectBackoff + " must be positive and at most " + reconnectBackoffMax);
        }
    }

    public static BridgeSettings from(ClusterConfig.Bridge c) {
        String ca = c.remoteCa().orElseThrow(() -> new IllegalArgumentException(
                "acp.cluster.bridge.remote-ca is required when the bridge is enabled: the CA certificate of the remote cluster"));
        return new BridgeSettings(c.listenHost(), c.listenPort(), c.peer().map(HostPort::parse), Path.of(ca),
                c.reconnectBackoff(), c.reconnectBackoffMax(), c.maxFrameBytes(), new Writable(c.writable().orElse(List.of())));
    }

    /** Same settings connecting to {@code peer}. */
    public BridgeSettings withPeer(HostPort p) {
        return new BridgeSettings(listenHost, listenPort, Optional.of(p), remoteCa, reconnectBackoff, reconnectBackoffMax, maxFrameBytes, writable);
    }

    /** Same settings letting the remote cluster write {@code w}. */
    public BridgeSettings withWritable(Writable w) {
        return new BridgeSettings(listenHost, listenPort, peer, remoteCa, reconnectBackoff, reconnectBackoffMax, maxFrameBytes, w);
    }
}
