package io.acp.api;

import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import io.acp.node.ServiceDirectory;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The framework's operations ({@code framework}: version, services, health, restarts). */
@Singleton
public final class FrameworkOperationSet implements OperationSet {

    private final String version;
    private final ServiceDirectory directory;
    private final Supplier<Cdb> cdb;

    @Inject
    FrameworkOperationSet(@ConfigProperty(name = "quarkus.application.version", defaultValue = "0.1.0") String version, ServiceDirectory directory,
            ClusterService cluster) {
        this(version, directory, cluster::cdb);
    }

    FrameworkOperationSet(String version, ServiceDirectory directory, Supplier<Cdb> cdb) {
        this.version = version;
        this.directory = directory;
        this.cdb = cdb;
    }

    @Override
    public List<ServiceOperations> operations(ApiContext api) {
        return List.of(new FrameworkOperations(api.localNode(), version, directory, cdb));
    }
}
