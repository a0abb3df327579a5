package io.acp.network;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings of the network service. */
@ConfigMapping(prefix = "acp.network")
public interface NetworkConfig {

    /**
     * The network namespace whose links the node manages. Absent: the process's own (a real node
     * runs in the host's). scripts/dev sets {@code acp-NAME}, a namespace the service creates if it
     * is missing, so a developer's node never touches the host's links.
     */
    Optional<String> namespace();

    /** The NICs networks may use as uplinks; a network naming any other is refused. */
    Optional<List<String>> uplinks();

    /** How often every network is compared with the kernel and repaired. */
    @WithDefault("5s")
    Duration reconcileInterval();

    /** How often networks', ports' and NICs' counters are sampled. */
    @WithDefault("1s")
    Duration statsInterval();

    /** How long one ip, bridge or vppctl command may take. */
    @WithDefault("10s")
    Duration commandTimeout();

    /** The vppctl program, for vpp-vlan networks. */
    @WithDefault("vppctl")
    String vppctl();
}
