package io.acp.node;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Node-wide settings and the Framework's own: who this node is and what it runs. */
@ConfigMapping(prefix = "acp.node")
public interface NodeConfig {

    /** This node's id, unique in the cluster. Defaults to the host name. */
    Optional<String> id();

    /** Where the node keeps its journal, keys and other state. */
    @WithDefault("/var/lib/acp")
    Path dataDir();

    /**
     * Services this node runs; the Framework starts them in dependency order. The default is what
     * every node runs (agent, API, hypervisor, network, storage, cluster) plus a monitor, so a single node answers {@code acp health};
     * management nodes add {@code webapi}.
     */
    @WithDefault("cluster,api,hypervisor,network,storage,monitor,agent")
    List<String> services();

    /** How often the node object's stats (cpu, memory, load, uptime) are sampled. */
    @WithDefault("1s")
    Duration statsInterval();

    /** How often each running service's health check is run. */
    @WithDefault("5s")
    Duration healthInterval();

    /**
     * A service whose periodic work (a reconcile, a stats sample) has run this long is hung: it is
     * failed and restarted with the restart policy.
     */
    @WithDefault("5m")
    Duration stallTimeout();

    /** Restart policy for failed services. */
    Restart restart();

    interface Restart {
        /** Delay before the first restart of a failed service. */
        @WithDefault("500ms")
        Duration initialBackoff();

        /** The delay doubles after each failure up to this. */
        @WithDefault("30s")
        Duration maxBackoff();

        /** A service that stays up this long has its backoff reset. */
        @WithDefault("60s")
        Duration resetAfter();
    }
}
