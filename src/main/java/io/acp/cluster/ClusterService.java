package io.acp.cluster;

import io.acp.cluster.journal.Journal;
import io.acp.framework.ManagedService;
import io.acp.framework.NodeIdentity;
import io.acp.framework.ServiceContext;
import io.acp.model.HybridClock;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The cluster service: owns this node's CDB and its journal, and runs their maintenance (tombstone
 * collection, journal compaction) every {@link #MAINTENANCE_INTERVAL} on its own thread. Sync over
 * multicast (issue 3) hangs off this service as well.
 */
@ApplicationScoped
public class ClusterService implements ManagedService {

    private static final Logger LOG = Logger.getLogger(ClusterService.class);
    static final Duration MAINTENANCE_INTERVAL = Duration.ofSeconds(10);

    private final ClusterConfig config;
    private final NodeIdentity identity;
    private volatile Cdb cdb;
    private ScheduledExecutorService maintenance;

    public ClusterService(ClusterConfig config, NodeIdentity identity) {
        this.config = config;
        this.identity = identity;
    }

    @Override
    public String name() {
        return "cluster";
    }

    @Override
    public Uni<Void> start(ServiceContext context) {
        return Uni.createFrom().item(() -> {
                    Journal journal = Journal.open(identity.dataDir().resolve("journal"), config.journal().fsync(), config.journal().compactBytes());
                    Cdb opened = new Cdb(identity.id(), new HybridClock(), journal, config.statsHistory());
                    int replayed;
                    try {
                        replayed = opened.recover();
                    } catch (RuntimeException e) {
                        opened.close();
                        throw e;
                    }
                    LOG.infof("CDB of node %s loaded: %d journal records, %d objects", identity.id(), replayed, opened.objectCount());
                    cdb = opened;
                    scheduleMaintenance(new ClusterMaintenance(opened, journal, config.tombstoneTtl(), System::currentTimeMillis));
                    return null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .replaceWithVoid();
    }

    /** A thread of its own: compaction blocks on file I/O and must never hold up the event loop. */
    private synchronized void scheduleMaintenance(Runnable round) {
        maintenance = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "acp-cluster-maintenance");
            t.setDaemon(true);
            return t;
        });
        long every = MAINTENANCE_INTERVAL.toMillis();
        maintenance.scheduleWithFixedDelay(round, every, every, TimeUnit.MILLISECONDS);
    }

    /** Stops maintenance, letting a round in progress finish before the CDB closes under it. */
    private synchronized void stopMaintenance() throws InterruptedException {
        if (maintenance != null) {
            maintenance.shutdown(); // cancels the schedule; no interrupt mid-compaction
            maintenance.awaitTermination(1, TimeUnit.MINUTES);
            maintenance = null;
        }
    }

    @Override
    public Uni<Void> stop() {
        return Uni.createFrom().item(() -> {
                    try {
                        stopMaintenance();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    Cdb c = cdb;
                    cdb = null;
                    if (c != null) {
                        c.close();
                    }
                    return null;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .replaceWithVoid();
    }

    /** The CDB; fails with UNAVAILABLE while the cluster service is not running. */
    public Cdb cdb() {
        Cdb c = cdb;
        if (c == null) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "cluster service on node " + identity.id() + " is not running");
        }
        return c;
    }

    public boolean running() {
        return cdb != null;
    }
}
