package io.acp.api;

import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.function.Supplier;

/** The monitor's operations ({@code monitor}: alarms and health, read from the CDB). */
@Singleton
public final class MonitorOperationSet implements OperationSet {

    private final Supplier<Cdb> cdb;

    @Inject
    MonitorOperationSet(ClusterService cluster) {
        this(cluster::cdb);
    }

    MonitorOperationSet(Supplier<Cdb> cdb) {
        this.cdb = cdb;
    }

    @Override
    public List<ServiceOperations> operations(ApiContext api) {
        return List.of(new MonitorOperations(cdb, api.worker()));
    }
}
