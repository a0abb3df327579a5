package io.acp.cli;

import io.acp.api.ApiConfig;
import io.acp.api.ApiService;
import io.acp.node.NodeIdentity;
import io.acp.framework.ServiceManager;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.jboss.logging.Logger;

/**
 * Starts the node's services for {@code acp node run} and stops them when the process is told
 * to end. Stopping hangs off Quarkus' shutdown event because SIGTERM and SIGINT reach us through
 * Quarkus' shutdown hook, which stops the application while the command thread is still waiting.
 */
@Singleton
public class NodeLifecycle {

    private static final Logger LOG = Logger.getLogger(NodeLifecycle.class);
    /** How long stopping all services may take before the process exits anyway. */
    private static final Duration STOP_LIMIT = Duration.ofSeconds(60);

    private final ServiceManager manager;
    private final NodeIdentity identity;
    private final ApiService api;
    private final ApiConfig apiConfig;
    /** Set before starting, so a signal that arrives mid-start still stops what started. */
    private volatile boolean startRequested;
    private volatile boolean running;

    public NodeLifecycle(ServiceManager manager, NodeIdentity identity, ApiService api, ApiConfig apiConfig) {
        this.manager = manager;
        this.identity = identity;
        this.api = api;
        this.apiConfig = apiConfig;
    }

    /** Starts every configured service; blocks until they run or one failed (rethrown). */
    void start() {
        startRequested = true;
        manager.startAll().await().indefinitely();
        running = true;
    }

    /** The one line that tells a person (and a test) where the running node is. */
    String readyLine() {
        int port = api.tcpPort();
        if (port < 0) {
            return "node " + identity.id() + " running without the API service (see acp.node.services), data in " + identity.dataDir();
        }
        return "node " + identity.id() + " listening on unix:" + api.socketPath().toAbsolutePath()
                + " and tcp " + apiConfig.host() + ":" + port + ", data in " + identity.dataDir();
    }

    String nodeId() {
        return identity.id();
    }

    void onShutdown(@Observes ShutdownEvent event) {
        if (!startRequested) {
            return;
        }
        try {
            manager.stopAll().await().atMost(STOP_LIMIT);
            if (running) {
                LOG.infof("node %s stopped", identity.id());
            }
        } catch (RuntimeException e) {
            LOG.errorf("node %s did not stop cleanly: %s", identity.id(), e.getMessage());
        }
    }
}
