package io.acp.cluster;

import io.acp.cluster.journal.Journal;
import io.acp.framework.ManagedService;
import io.acp.framework.NodeIdentity;
import io.acp.framework.ServiceContext;
import io.acp.model.HybridClock;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/**
 * The cluster service: owns this node's CDB and its journal. Sync over multicast (issue 3) hangs
 * off this service as well.
 */
@ApplicationScoped
public class ClusterService implements ManagedService {

    private static final Logger LOG = Logger.getLogger(ClusterService.class);

    private final ClusterConfig config;
    private final NodeIdentity identity;
    private volatile Cdb cdb;

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
                    int replayed = opened.recover();
                    LOG.infof("CDB of node %s loaded: %d journal records, %d objects", identity.id(), replayed, opened.objectCount());
                    cdb = opened;
                    return null;
                })
                .runSubscriptionOn(io.smallrye.mutiny.infrastructure.Infrastructure.getDefaultWorkerPool())
                .replaceWithVoid();
    }

    @Override
    public Uni<Void> stop() {
        return Uni.createFrom().item(() -> {
                    Cdb c = cdb;
                    cdb = null;
                    if (c != null) {
                        c.close();
                    }
                    return null;
                })
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
