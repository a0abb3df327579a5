package io.acp.node;

import io.smallrye.mutiny.Uni;
import java.util.Set;

/**
 * A service of the node whose lifecycle the service manager ({@code io.acp.framework}) runs. Implementations are CDI
 * beans; which ones run on a node is configured by {@code acp.node.services}.
 */
public interface ManagedService {

    /** The service name, as in configuration and in {@code service} objects ("cluster", "api"...). */
    String name();

    /** Names of services that must be running before this one starts. */
    default Set<String> dependencies() {
        return Set.of();
    }

    /**
     * Starts the service. The returned Uni completes once it serves; a service that later fails on
     * its own calls {@link ServiceContext#failed} so the manager can restart it.
     */
    Uni<Void> start(ServiceContext context);

    /** Stops the service and releases what it holds; must succeed even after a failed start. */
    Uni<Void> stop();

    /**
     * Values this service adds to its node's meta in the CDB while it runs, so other nodes can
     * find it (the agent: {@code "agent": "host:port"}). Called whenever the node's meta is published.
     */
    default java.util.Map<String, String> nodeMeta() {
        return java.util.Map.of();
    }

    /**
     * What a start under way is doing now ("storing the default pool"), for the log of a start that
     * does not finish; null if the service does not say.
     */
    default String startStep() {
        return null;
    }

    /** A cheap health check, called periodically on a worker thread. */
    default Health health() {
        return Health.OK;
    }
}
