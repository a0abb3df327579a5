package io.acp.metrics;

import io.acp.cluster.Readiness;
import io.acp.cluster.service.ClusterService;
import io.acp.cluster.sync.ClusterSync;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Readiness from the cluster service: its CDB is open, its sync (where sync is enabled) runs, and
 * the CDB has caught up with the peers it reaches ({@link Readiness#READY}, not syncing).
 */
@ApplicationScoped
@DefaultBean
public class ClusterSyncReadiness implements SyncReadiness {

    private final ClusterService cluster;

    @Inject
    public ClusterSyncReadiness(ClusterService cluster) {
        this.cluster = cluster;
    }

    @Override
    public Optional<String> notReady() {
        if (!cluster.running()) {
            return Optional.of("the cluster service is not running: no CDB to answer from");
        }
        ClusterSync sync = cluster.sync();
        if (sync != null && !sync.running()) {
            return Optional.of("the cluster sync of node " + sync.node() + " is not running");
        }
        if (cluster.readiness() != Readiness.READY) {
            return Optional.of("node " + (sync != null ? sync.node() : "") + " is still syncing: it has not yet pulled the state of the peers it reaches");
        }
        return Optional.empty();
    }
}
