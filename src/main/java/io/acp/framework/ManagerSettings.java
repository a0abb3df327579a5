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
 */
record ManagerSettings(String nodeId, List<String> services, RestartPolicy restart, Duration healthInterval,
                       Duration statsInterval, String hostname, String version, Duration stallTimeout) {

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
