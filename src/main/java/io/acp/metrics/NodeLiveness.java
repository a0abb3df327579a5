package io.acp.metrics;

import io.acp.node.ServiceDirectory;
import io.acp.node.ServiceState;
import io.acp.node.ServiceStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * {@code /q/health/live}: the process answers and its service manager does. Services that failed
 * are the framework's to restart (they make the node not ready, not dead): restarting the process
 * for them would only add a second restarter.
 */
@Liveness
@ApplicationScoped
public class NodeLiveness implements HealthCheck {

    private final ServiceDirectory directory;

    @Inject
    public NodeLiveness(ServiceDirectory directory) {
        this.directory = directory;
    }

    @Override
    public HealthCheckResponse call() {
        long running = 0;
        long failed = 0;
        for (ServiceStatus s : directory.statuses()) {
            running += s.state() == ServiceState.RUNNING ? 1 : 0;
            failed += s.state() == ServiceState.FAILED ? 1 : 0;
        }
        return HealthCheckResponse.named("acp-process")
                .withData("running", running)
                .withData("failed", failed)
                .withData("since", directory.startedAt().toString())
                .up()
                .build();
    }
}
