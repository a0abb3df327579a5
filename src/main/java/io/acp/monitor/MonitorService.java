package io.acp.monitor;

import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import io.acp.node.Collector;
import io.acp.node.NodeIdentity;
import io.acp.node.PipelineService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The monitor service: runs this node's {@link Monitor} every {@code acp.monitor.interval} on its
 * own thread ({@code acp-monitor}), which also makes the primary's journaled alarm writes. It reads
 * and writes nothing but the CDB.
 */
@ApplicationScoped
public class MonitorService extends PipelineService<MonitorService.Running> {

    private static final Logger LOG = Logger.getLogger(MonitorService.class);

    private final Supplier<Cdb> cdb;
    /** Read at each start, so a bad rule override fails the start (shown by acp services), not the node. */
    private final Supplier<MonitorSettings> settings;

    /** The settings of this run and the monitor on the current CDB. */
    record Running(MonitorSettings settings, AtomicReference<Monitor> monitor) {
    }

    @Inject
    public MonitorService(MonitorConfig config, ClusterService cluster, NodeIdentity identity) {
        this(cluster::cdb, () -> MonitorSettings.from(config), identity.id());
    }

    public MonitorService(Supplier<Cdb> cdb, Supplier<MonitorSettings> settings) {
        this(cdb, settings, "this node");
    }

    private MonitorService(Supplier<Cdb> cdb, Supplier<MonitorSettings> settings, String nodeId) {
        super(nodeId);
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

    /** The first round runs at once, like every later one on the monitor's thread. */
    @Override
    protected Uni<Running> open(ScheduledExecutorService thread) {
        return Uni.createFrom().item(() -> {
                    MonitorSettings s = settings.get();
                    Running r = new Running(s, new AtomicReference<>(new Monitor(cdb.get(), s, System::currentTimeMillis)));
                    try {
                        round(r);
                    } catch (RuntimeException e) {
                        problem(e);
                    }
                    LOG.infof("monitor of node %s evaluates every %s", nodeId, s.interval());
                    return r;
                })
                .runSubscriptionOn(thread);
    }

    @Override
    protected List<Collector> collectors(Running r) {
        return List.of(Collector.every("round", r.settings().interval(), () -> Uni.createFrom().item(() -> round(r))));
    }

    /**
     * One round on the monitor's thread. The cluster service may restart on its own (its dependents
     * keep running) with a new CDB: the monitor follows it.
     */
    private int round(Running r) {
        Cdb current = cdb.get();
        Monitor m = r.monitor().get();
        if (m.cdb() != current) {
            m.close();
            m = new Monitor(current, r.settings(), System::currentTimeMillis);
            r.monitor().set(m);
        }
        m.round();
        return 1;
    }

    /** A round that throws must not end the schedule: it is reported through health and tried again. */
    @Override
    protected boolean isProblem(Throwable failure) {
        return failure instanceof RuntimeException;
    }

    @Override
    protected String describeProblem(Throwable f) {
        return "last monitor round failed: " + f.getMessage();
    }

    @Override
    protected void close(Running r) {
        r.monitor().get().close();
    }

    /** The running monitor, or null. */
    public Monitor monitor() {
        Running r = runningOrNull();
        return r == null ? null : r.monitor().get();
    }
}
