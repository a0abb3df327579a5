package io.acp.hypervisor;

import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import io.acp.node.Collector;
import io.acp.node.NodeIdentity;
import io.acp.node.PipelineService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The hypervisor service: runs this node's systems as libvirt domains and reports them in the CDB.
 *
 * <p>libvirt-java blocks, so the service owns one thread ({@code acp-hypervisor}) that makes every
 * libvirt call and also fires the reconcile and stats ticks; libvirt's own event loop runs on
 * another ({@code acp-libvirt-events}) and feeds lifecycle events straight into meta. The service
 * starts even when libvirt cannot be reached (libvirtd may come up after the node): it reports
 * itself unhealthy, operations answer {@code unavailable}, and every tick tries to connect again.
 */
@ApplicationScoped
public class HypervisorService extends PipelineService<HypervisorService.Running> {

    private static final Logger LOG = Logger.getLogger(HypervisorService.class);

    private final HypervisorConfig config;
    private final java.nio.file.Path migrationRecords;
    private final Supplier<Cdb> cdb;
    private final Supplier<HypervisorBackend> backends;
    /** The HA service's hand-over of an HA system's lease with its migration; kept across restarts of this service. */
    private volatile OwnershipHandover handover = OwnershipHandover.NONE;

    /** What exists while the service runs. */
    record Running(HypervisorBackend backend, Systems systems, SystemMonitor monitor) {
    }

    @Inject
    public HypervisorService(HypervisorConfig config, NodeIdentity identity, ClusterService cluster, HypervisorBackends backends) {
        this(config, identity.id(), cluster::cdb, () -> backends.open(config.uri(), identity.id()),
                identity.dataDir().resolve("hypervisor").resolve("migrations"));
    }

    /** A service whose migration records live in memory only (nodes in a test JVM). */
    public HypervisorService(HypervisorConfig config, String nodeId, Supplier<Cdb> cdb, Supplier<HypervisorBackend> backends) {
        this(config, nodeId, cdb, backends, null);
    }

    /** @param migrationRecords where this node keeps its migration records on disk (null: in memory only) */
    public HypervisorService(HypervisorConfig config, String nodeId, Supplier<Cdb> cdb, Supplier<HypervisorBackend> backends,
            java.nio.file.Path migrationRecords) {
        super(nodeId);
        this.config = config;
        this.cdb = cdb;
        this.backends = backends;
        this.migrationRecords = migrationRecords;
    }

    private volatile Systems.TaskHook scheduledTasks;
    private volatile io.acp.model.Progress.Sink progressSink = io.acp.model.Progress.Sink.NONE;

    @Override
    public String name() {
        return "hypervisor";
    }

    @Override
    public Set<String> dependencies() {
        return Set.of("cluster");
    }

    @Override
    protected Uni<Running> open(ScheduledExecutorService thread) {
        Cdb db = cdb.get();
        HypervisorBackend backend = backends.get();
        Hypervisor hv = new Hypervisor(backend, thread);
        SystemReports reports = new SystemReports(nodeId, db, Clock.systemUTC(), new MigrationRecords(migrationRecords));
        Handoffs handoffs = new Handoffs(System::nanoTime);
        Running r = new Running(backend, new Systems(nodeId, db, hv, reports, DomainXml.typeFor(config.uri(), config.accelerator()), config.shutdownTimeout(),
                handoffs, new Migrations.Settings(config.migrationUri().orElse(null), config.migrationSharedStorage(),
                        config.migrationMaxDowntime().orElse(null)), HostDevices.of(config)),
                new SystemMonitor(nodeId, db, hv, handoffs, reports, System::nanoTime));
        Systems.TaskHook hook = scheduledTasks;
        if (hook != null) {
            r.systems().recordScheduledWith(hook);
        }
        r.systems().reportProgressTo(progressSink);
        r.systems().handOverWith((system, from, to) -> handover.hand(system, from, to));
        int migrating = reports.restoreMigrations();
        if (migrating > 0) {
            LOG.infof("node %s took part in %d migrations when it stopped: it finishes them", nodeId, migrating);
        }
        return hv.run(b -> b.connect(reports::event)).replaceWith(true)
                .onFailure().invoke(this::problem)
                .onFailure().recoverWithItem(false)
                .call(() -> r.systems().recoverMigrations().onFailure().recoverWithNull())
                .call(() -> r.systems().markInterruptedEvacuation().onFailure().recoverWithNull())
                .call(() -> r.monitor().reconcile().onFailure().recoverWithNull())
                .invoke(connected -> {
                    if (connected) {
                        LOG.infof("hypervisor of node %s uses libvirt at %s", nodeId, config.uri());
                    } else {
                        // Not "uses": right after the warning that says why, that would read as success.
                        LOG.infof("hypervisor of node %s runs without libvirt at %s for now: each reconcile tries again", nodeId, config.uri());
                    }
                })
                .replaceWith(r);
    }

    /**
     * The reconcile, which always asks libvirt, may declare the service healthy again; a stats
     * tick with nothing running never reaches libvirt.
     */
    @Override
    protected List<Collector> collectors(Running r) {
        return List.of(
                Collector.every("reconcile", config.reconcileInterval(), () -> reconcile(r)),
                Collector.every("stats sample", config.statsInterval(), () -> r.monitor().sampleStats()).provingNothing(),
                // Scheduled backups are looked at as often as the reconcile: a schedule's granularity is minutes.
                Collector.every("scheduled backups", config.reconcileInterval(), () -> r.systems().runDueBackups()).provingNothing());
    }

    @Override
    protected void close(Running r) {
        r.backend().close();
    }

    /** Runs a reconcile now (tests, and operators' "repair now"); answers how many systems changed. */
    public Uni<Integer> reconcileNow() {
        return withRunning(this::reconcile);
    }

    /** Migrations this node recorded are finished first; its schedulability in meta follows its node object. */
    private Uni<Integer> reconcile(Running r) {
        return r.systems().recoverMigrations()
                .invoke(() -> r.systems().publishScheduleMeta())
                .chain(() -> r.monitor().reconcile());
    }

    /** Samples every running system's stats now. */
    public Uni<Integer> sampleStatsNow() {
        return withRunning(r -> r.monitor().sampleStats());
    }

    /**
     * Records this node's scheduled operations (backups) as tasks through {@code hook} from now on
     * and at every later start of the service (the API service installs its task log here).
     */
    public void recordScheduledWith(Systems.TaskHook hook) {
        scheduledTasks = hook;
    }

    /**
     * Sends how far migrations, evacuations and backups have come to {@code sink} from now on and at
     * every later start of the service (the API service installs its task log here).
     */
    public void reportProgressTo(io.acp.model.Progress.Sink sink) {
        progressSink = sink == null ? io.acp.model.Progress.Sink.NONE : sink;
        try {
            withRunning(r -> {
                r.systems().reportProgressTo(progressSink);
                return null;
            });
        } catch (RuntimeException notRunning) {
            // applied when it starts
        }
    }

    /** {@code schedulable} (and {@code evacuation} while one is recorded) in this node's meta: see {@link NodeSchedule}. */
    @Override
    public java.util.Map<String, String> nodeMeta() {
        try {
            return withRunning(r -> r.systems().scheduleMeta());
        } catch (RuntimeException notRunning) {
            return java.util.Map.of();
        }
    }

    /** Sets how migrations hand HA systems' leases over (the HA service while it runs; null: none). */
    public void handOverWith(OwnershipHandover h) {
        handover = h == null ? OwnershipHandover.NONE : h;
    }

    /** The system operations; {@code unavailable} while the service is not running. */
    public Systems systems() {
        return withRunning(Running::systems);
    }
}
