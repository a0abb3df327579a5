package io.acp.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import io.acp.node.Health;
import io.acp.node.ManagedService;
import io.acp.node.NodeIdentity;
import io.acp.node.ServiceContext;
import io.acp.node.ServiceThread;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The storage service: this node's block devices, pools and shares, reported in the CDB.
 *
 * <p>One thread ({@code acp-storage}) fires the ticks: a stats sample every
 * {@code acp.storage.stats-interval} and a reconcile every {@code acp.storage.reconcile-interval}.
 * Nothing that can hang runs on it: every touch of a device, mount or LVM runs on a probe thread
 * with a timeout ({@link Probes}), so a hung NFS server makes its share and pools {@code failed} /
 * {@code unavailable} and leaves the rest, the API and the ticks running.
 */
@ApplicationScoped
public class StorageService implements ManagedService {

    private static final Logger LOG = Logger.getLogger(StorageService.class);

    private final StorageConfig config;
    private final String nodeId;
    private final Path dataDir;
    private final Supplier<Cdb> cdb;
    private volatile Running running;
    private volatile String lastProblem;

    /** What exists while the service runs. */
    private record Running(ScheduledThreadPoolExecutor thread, Probes probes, LibvirtConnection libvirt, Storage storage) {
    }

    @Inject
    public StorageService(StorageConfig config, NodeIdentity identity, ClusterService cluster) {
        this(config, identity.id(), identity.dataDir(), cluster::cdb);
    }

    public StorageService(StorageConfig config, String nodeId, Path dataDir, Supplier<Cdb> cdb) {
        this.config = config;
        this.nodeId = nodeId;
        this.dataDir = dataDir;
        this.cdb = cdb;
    }

    @Override
    public String name() {
        return "storage";
    }

    @Override
    public Set<String> dependencies() {
        return Set.of("cluster");
    }

    @Override
    public Uni<Void> start(ServiceContext context) {
        return start(StorageSettings.of(config, dataDir));
    }

    /** Starts with settings of the test's choosing (sysfs and procfs elsewhere). */
    Uni<Void> start(StorageSettings settings) {
        return Uni.createFrom().deferred(() -> {
            ScheduledThreadPoolExecutor thread = ServiceThread.named("storage");
            Probes probes = new Probes();
            Reports reports = new Reports(cdb.get());
            Lvm lvm = new Lvm(settings.commands(), config.lvm().activation());
            Devices devices = new Devices(reports, probes, settings.probeTimeout(), settings.sysRoot(), settings.procRoot(), lvm);
            Shares shares = new Shares(reports, probes, settings);
            LibvirtConnection libvirt = new LibvirtConnection(config.libvirtUri(), nodeId);
            Pools pools = new Pools(reports, probes, settings, shares, lvm, libvirt);
            Storage storage = new Storage(reports, probes, settings, devices, pools, shares);
            Running r = new Running(thread, probes, libvirt, storage);
            return defaultPool(storage)
                    .chain(storage::reconcile)
                    .chain(storage::sample)
                    .invoke(() -> {
                        running = r;
                        every(r, config.reconcileInterval(), storage::reconcile);
                        every(r, config.statsInterval(), storage::sample);
                        LOG.infof("storage of node %s: data in %s, shares under %s", nodeId, settings.dataDir(), settings.mountDir());
                    })
                    .onFailure().invoke(f -> {
                        probes.close();
                        libvirt.close();
                        thread.shutdownNow();
                    })
                    .replaceWithVoid();
        });
    }

    /** Stores the default dir pool if configured and absent (each node then realises it under its own data dir). */
    private Uni<Void> defaultPool(Storage storage) {
        String id = config.defaultPool();
        if (id.equals("none") || cdb.get().object(Reports.key(id)).isPresent()) {
            return Uni.createFrom().voidItem();
        }
        ObjectNode spec = Json.object();
        spec.put("kind", "dir");
        return storage.createPool(id, spec).onFailure(AcpException.class).recoverWithItem(f -> {
            LOG.warnf("storage of node %s: no default pool %s: %s", nodeId, id, f.getMessage());
            return null;
        }).replaceWithVoid();
    }

    /** Runs {@code tick} every {@code interval} on the storage thread; a tick still running skips the next. */
    private void every(Running r, Duration interval, Supplier<Uni<Integer>> tick) {
        AtomicBoolean busy = new AtomicBoolean();
        long ms = interval.toMillis();
        r.thread().scheduleWithFixedDelay(() -> {
            if (busy.compareAndSet(false, true)) {
                tick.get().subscribe().with(n -> {
                    lastProblem = null;
                    busy.set(false);
                }, f -> {
                    if (!String.valueOf(f.getMessage()).equals(lastProblem)) {
                        LOG.warnf("storage of node %s: %s", nodeId, f.getMessage());
                    }
                    lastProblem = String.valueOf(f.getMessage());
                    busy.set(false);
                });
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    @Override
    public Uni<Void> stop() {
        Running r = running;
        running = null;
        if (r != null) {
            r.thread().shutdownNow();
            r.probes().close();
            r.libvirt().close();
        }
        return Uni.createFrom().voidItem();
    }

    @Override
    public Health health() {
        String p = lastProblem;
        return p == null ? Health.OK : Health.unhealthy(p);
    }

    /** The storage operations; {@code unavailable} while the service is not running. */
    public Storage storage() {
        Running r = running;
        if (r == null) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "storage service on node " + nodeId + " is not running");
        }
        return r.storage();
    }

    /** Probe threads still waiting on a call (a hung mount keeps one). */
    int busyProbes() {
        Running r = running;
        return r == null ? 0 : r.probes().busy();
    }
}
