package io.acp.hypervisor;

import io.acp.cluster.Cdb;
import io.acp.cluster.ClusterService;
import io.acp.framework.Health;
import io.acp.framework.ManagedService;
import io.acp.framework.NodeIdentity;
import io.acp.framework.ServiceContext;
import io.acp.framework.ServiceThread;
import io.acp.hypervisor.libvirt.LibvirtBackend;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
public class HypervisorService implements ManagedService {

    private static final Logger LOG = Logger.getLogger(HypervisorService.class);

    private final HypervisorConfig config;
    private final String nodeId;
    private final Supplier<Cdb> cdb;
    private final Supplier<HypervisorBackend> backends;
    private volatile Running running;
    private volatile String lastProblem;

    /** What exists while the service runs. */
    private record Running(ScheduledThreadPoolExecutor thread, HypervisorBackend backend, Systems systems, SystemMonitor monitor) {
    }

    @Inject
    public HypervisorService(HypervisorConfig config, NodeIdentity identity, ClusterService cluster) {
        this(config, identity.id(), cluster::cdb, () -> new LibvirtBackend(config.uri(), identity.id()));
    }

    public HypervisorService(HypervisorConfig config, String nodeId, Supplier<Cdb> cdb, Supplier<HypervisorBackend> backends) {
        this.config = config;
        this.nodeId = nodeId;
        this.cdb = cdb;
        this.backends = backends;
    }

    @Override
    public String name() {
        return "hypervisor";
    }

    @Override
    public Set<String> dependencies() {
        return Set.of("cluster");
    }

    @Override
    public Uni<Void> start(ServiceContext context) {
        return Uni.createFrom().deferred(() -> {
            Cdb db = cdb.get();
            ScheduledThreadPoolExecutor thread = ServiceThread.named("hypervisor");
            HypervisorBackend backend = backends.get();
            Hypervisor hv = new Hypervisor(backend, thread);
            SystemReports reports = new SystemReports(nodeId, db, Clock.systemUTC());
            Handoffs handoffs = new Handoffs(System::nanoTime);
            Running r = new Running(thread, backend, new Systems(nodeId, db, hv, reports, DomainXml.typeFor(config.uri()), config.shutdownTimeout(),
                    handoffs, config.migrationUri().orElse(null), HostDevices.of(config)),
                    new SystemMonitor(nodeId, db, hv, handoffs, reports, System::nanoTime));
            return hv.run(b -> b.connect(reports::event))
                    .onFailure().invoke(this::problem)
                    .onFailure().recoverWithNull()
                    .chain(() -> r.monitor().reconcile().onFailure().recoverWithNull())
                    .invoke(() -> {
                        running = r;
                        every(r, config.reconcileInterval(), () -> r.monitor().reconcile(), true);
                        every(r, config.statsInterval(), () -> r.monitor().sampleStats(), false);
                        LOG.infof("hypervisor of node %s uses libvirt at %s", nodeId, config.uri());
                    })
                    .replaceWithVoid();
        });
    }

    /**
     * Runs {@code tick} every {@code interval} on the hypervisor thread; a tick still running skips
     * the next. Only the reconcile, which always asks libvirt, may declare the service healthy
     * again: a stats tick with nothing running never reaches libvirt.
     */
    private void every(Running r, Duration interval, Supplier<Uni<Integer>> tick, boolean provesHealth) {
        AtomicBoolean busy = new AtomicBoolean();
        long ms = interval.toMillis();
        r.thread().scheduleWithFixedDelay(() -> {
            if (busy.compareAndSet(false, true)) {
                tick.get().subscribe().with(n -> {
                    if (provesHealth) {
                        lastProblem = null;
                    }
                    busy.set(false);
                }, f -> {
                    problem(f);
                    busy.set(false);
                });
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    private void problem(Throwable f) {
        String message = f.getMessage();
        if (!message.equals(lastProblem)) {
            LOG.warnf("hypervisor of node %s: %s", nodeId, message);
        }
        lastProblem = message;
    }

    @Override
    public Uni<Void> stop() {
        Running r = running;
        running = null;
        if (r == null) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom().item(() -> {
            r.backend().close();
            return null;
        }).runSubscriptionOn(r.thread()).eventually(() -> r.thread().shutdownNow()).replaceWithVoid();
    }

    @Override
    public Health health() {
        String p = lastProblem;
        return p == null ? Health.OK : Health.unhealthy(p);
    }

    /** Runs a reconcile now (tests, and operators' "repair now"); answers how many systems changed. */
    public Uni<Integer> reconcileNow() {
        return running().monitor().reconcile();
    }

    /** Samples every running system's stats now. */
    public Uni<Integer> sampleStatsNow() {
        return running().monitor().sampleStats();
    }

    /** The system operations; {@code unavailable} while the service is not running. */
    public Systems systems() {
        return running().systems();
    }

    private Running running() {
        Running r = running;
        if (r == null) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "hypervisor service on node " + nodeId + " is not running");
        }
        return r;
    }
}
