package io.acp.metrics;

import io.acp.cluster.service.ClusterService;
import io.acp.cluster.sync.ClusterSync;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Readiness from what the cluster service tells today: its CDB is open, and its sync (where sync is
 * enabled) runs. A finer state (still catching up after a start) replaces this bean by providing
 * another {@link SyncReadiness}.
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
        return Optional.empty();
    }
}
