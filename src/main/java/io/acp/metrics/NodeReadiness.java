package io.acp.metrics;

import io.acp.node.ServiceDirectory;
import io.acp.node.ServiceState;
import io.acp.node.ServiceStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health/ready}: up when every configured service runs and reports itself healthy, and
 * the node's CDB is in sync ({@link SyncReadiness}). A load balancer sends clients only to ready
 * nodes; each service's state is in the answer's data.
 */
@Readiness
@ApplicationScoped
public class NodeReadiness implements HealthCheck {

    private final ServiceDirectory directory;
    private final SyncReadiness sync;

    @Inject
    public NodeReadiness(ServiceDirectory directory, SyncReadiness sync) {
        this.directory = directory;
        this.sync = sync;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("acp-node");
        List<String> faults = new ArrayList<>();
        for (ServiceStatus s : directory.statuses()) {
            String state = s.state().wireName() + (s.health().healthy() ? "" : " (unhealthy: " + s.health().detail() + ")");
            b.withData(s.name(), state);
            if (s.state() != ServiceState.RUNNING || !s.health().healthy()) {
                faults.add(s.name() + " is " + state);
            }
        }
        Optional<String> notSynced = sync.notReady();
        notSynced.ifPresent(faults::add);
        b.withData("sync", notSynced.orElse("ready"));
        if (!faults.isEmpty()) {
            b.withData("reason", String.join("; ", faults));
        }
        return b.status(faults.isEmpty()).build();
    }
}
