package io.acp.api;

import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import io.acp.network.NetworkService;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.function.Supplier;

/** The network's operations ({@code network}: the cluster's networks and this node's links). */
@Singleton
public final class NetworkOperationSet implements OperationSet {

    private final Supplier<Cdb> cdb;
    private final Supplier<NetworkService> network;

    @Inject
    NetworkOperationSet(ClusterService cluster, NetworkService network) {
        this(cluster::cdb, () -> network);
    }

    NetworkOperationSet(Supplier<Cdb> cdb, Supplier<NetworkService> network) {
        this.cdb = cdb;
        this.network = network;
    }

    @Override
    public List<ServiceOperations> operations(ApiContext api) {
        return List.of(new NetworkOperations(cdb, network));
    }
}
