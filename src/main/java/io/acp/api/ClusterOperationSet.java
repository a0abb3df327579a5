package io.acp.api;

import io.acp.cluster.Cdb;
import io.acp.cluster.history.StatsHistory;
import io.acp.cluster.service.ClusterService;
import io.acp.cluster.sync.SecretRotation;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.function.Supplier;

/** The cluster's operations ({@code cluster}: objects, meta, stats, history, watch, secret rotation). */
@Singleton
public final class ClusterOperationSet implements OperationSet {

    private final Supplier<Cdb> cdb;
    private final Supplier<StatsHistory> history;
    private final Supplier<SecretRotation> secretRotation;

    @Inject
    ClusterOperationSet(ClusterService cluster) {
        this(cluster::cdb, cluster::history, cluster::secretRotation);
    }

    ClusterOperationSet(Supplier<Cdb> cdb, Supplier<StatsHistory> history, Supplier<SecretRotation> secretRotation) {
        this.cdb = cdb;
        this.history = history;
        this.secretRotation = secretRotation;
    }

    @Override
    public List<ServiceOperations> operations(ApiContext api) {
        return List.of(new ClusterOperations(api.localNode(), cdb, history, secretRotation, api.worker()));
    }
}
