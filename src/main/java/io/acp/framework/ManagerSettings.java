package io.acp.framework;

import io.acp.node.NodeConfig;
import io.acp.node.NodeIdentity;
import io.acp.node.ServiceContext;
import java.time.Duration;
import java.util.List;

/**
 * What the {@link ServiceManager} needs from configuration, as plain values so tests can build it.
 *
 * @param services names of the services to run (acp.node.services)
 * @param version  the ACP version, published in the node object
 * @param stallTimeout how long a service's periodic tick may run before the service counts as hung
 * @param slowStart    how long a service's start may run before where its threads are is logged
 *                     (and again each time as long again passes, three times at most)
 */
record ManagerSettings(String nodeId, List<String> services, RestartPolicy restart, Duration healthInterval,
                       Duration statsInterval, String hostname, String version, Duration stallTimeout, Duration slowStart) {

    /**
     * A service's start takes milliseconds to a few seconds (the CDB's catch-up included); one
     * still running after this is stuck or about to time out, and the log says where.
     */
    static final Duration DEFAULT_SLOW_START = Duration.ofSeconds(20);

    ManagerSettings(String nodeId, List<String> services, RestartPolicy restart, Duration healthInterval,
                    Duration statsInterval, String hostname, String version, Duration stallTimeout) {
        this(nodeId, services, restart, healthInterval, statsInterval, hostname, version, stallTimeout, DEFAULT_SLOW_START);
    }

    ManagerSettings(String nodeId, List<String> services, RestartPolicy restart, Duration healthInterval,
                    Duration statsInterval, String hostname, String version) {
        this(nodeId, services, restart, healthInterval, statsInterval, hostname, version, ServiceContext.DEFAULT_STALL_TIMEOUT);
    }

    ManagerSettings {
        services = List.copyOf(services);
    }

    static ManagerSettings of(NodeConfig config, NodeIdentity identity, String version) {
        return new ManagerSettings(identity.id(), config.services(), RestartPolicy.of(config.restart()),
                config.healthInterval(), config.statsInterval(), NodeIdentity.hostName(), version, config.stallTimeout());
    }
}
