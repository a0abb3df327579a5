package io.acp.monitor;

import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import io.acp.node.Health;
import io.acp.node.ManagedService;
import io.acp.node.ServiceContext;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The monitor service: runs this node's {@link Monitor} every {@code acp.monitor.interval} on its
 * own thread ({@code acp-monitor}), which also makes the primary's journaled alarm writes. It reads
 * and writes nothing but the CDB.
 */
@ApplicationScoped
public class MonitorService implements ManagedService {

    private static final Logger LOG = Logger.getLogger(MonitorService.class);

    private final Supplier<Cdb> cdb;
    /** Read at each start, so a bad rule override fails the start (shown by acp services), not the node. */
    private final Supplier<MonitorSettings> settings;
    private volatile ScheduledExecutorService running;
    private volatile Monitor monitor;
    private volatile String lastProblem;

    @Inject
    public MonitorService(MonitorConfig config, ClusterService cluster) {
        this(cluster::cdb, () -> MonitorSettings.from(config));
    }

    public MonitorService(Supplier<Cdb> cdb, Supplier<MonitorSettings> settings) {
        this.cdb = cdb;
        this.settings = settings;
    }

    @Override
    public String name() {
        return "monitor";
    }

    @Override
    public Set<String> dependencies() {
        return Set.of("cluster");
    }

    @Override
    public Uni<Void> start(ServiceContext context) {
        return Uni.createFrom().item(() -> {
                    MonitorSettings s = settings.get();
                    monitor = new Monitor(cdb.get(), s, System::currentTimeMillis);
                    ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "acp-monitor");
                        t.setDaemon(true);
                        return t;
                    });
                    long every = s.interval().toMillis();
                    thread.scheduleWithFixedDelay(() -> round(s), 0, every, TimeUnit.MILLISECONDS);
                    running = thread;
                    LOG.infof("monitor of node %s evaluates every %s", context.nodeId(), s.interval());
                    return null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .replaceWithVoid();
    }

    /**
     * One round on the monitor's thread. The cluster service may restart on its own (its dependents
     * keep running) with a new CDB: the monitor follows it. A round that throws must not end the
     * schedule: it is reported through health and tried again.
     */
    private void round(MonitorSettings s) {
        try {
            Cdb current = cdb.get();
            Monitor m = monitor;
            if (m.cdb() != current) {
                m.close();
                m = new Monitor(current, s, System::currentTimeMillis);
                monitor = m;
            }
            m.round();
            lastProblem = null;
        } catch (RuntimeException e) {
            lastProblem = e.getMessage();
            LOG.warnf(e, "monitor round failed");
        }
    }

    @Override
    public Uni<Void> stop() {
        return Uni.createFrom().item(() -> {
                    ScheduledExecutorService thread = running;
                    running = null;
                    if (thread != null) {
                        thread.shutdown();
                        try {
                            thread.awaitTermination(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    Monitor m = monitor;
                    monitor = null;
                    if (m != null) {
                        m.close();
                    }
                    return null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .replaceWithVoid();
    }

    @Override
    public Health health() {
        String problem = lastProblem;
        return problem == null ? Health.OK : Health.unhealthy("last monitor round failed: " + problem);
    }

    /** The running monitor, or null. */
    public Monitor monitor() {
        return monitor;
    }
}
