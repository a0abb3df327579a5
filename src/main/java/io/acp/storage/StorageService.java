package io.acp.storage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import io.acp.model.Json;
import io.acp.node.Collector;
import io.acp.node.NodeIdentity;
import io.acp.node.PipelineService;
import io.acp.node.ServiceContext;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.storage.common.CommandRunner;
import io.acp.storage.common.Probes;
import io.acp.storage.common.Reports;
import io.acp.storage.common.StorageSettings;
import io.acp.storage.device.Devices;
import io.acp.storage.pool.LibvirtConnection;
import io.acp.storage.pool.Lvm;
import io.acp.storage.pool.Pools;
import io.acp.storage.share.Shares;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
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
public class StorageService extends PipelineService<StorageService.Running> {

    private static final Logger LOG = Logger.getLogger(StorageService.class);

    private final StorageConfig config;
    private final Path dataDir;
    private final Supplier<Cdb> cdb;
    /** The settings the next start uses; tests choose their own sysfs and procfs. */
    private volatile StorageSettings settings;
    /** The storage being opened, until the start ends: a slow start names the part of its first reconcile. */
    private volatile Storage opening;

    /** What exists while the service runs. */
    record Running(Probes probes, LibvirtConnection libvirt, Storage storage) {
    }

    @Inject
    public StorageService(StorageConfig config, NodeIdentity identity, ClusterService cluster) {
        this(config, identity.id(), identity.dataDir(), cluster::cdb);
    }

    public StorageService(StorageConfig config, String nodeId, Path dataDir, Supplier<Cdb> cdb) {
        super(nodeId);
        this.config = config;
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
        settings = settings(config, dataDir);
        return super.start(context);
    }

    /** The settings of {@code config} resolved against {@code dataDir}; IllegalArgumentException if the thresholds disagree. */
    static StorageSettings settings(StorageConfig config, Path dataDir) {
        if (config.nearFullPercent() < 1 || config.fullPercent() > 100 || config.nearFullPercent() > config.fullPercent()) {
            throw new IllegalArgumentException("acp.storage.near-full-percent (" + config.nearFullPercent() + ") and full-percent ("
                    + config.fullPercent() + ") must satisfy 1 <= near-full <= full <= 100");
        }
        List<Path> roots = new ArrayList<>();
        roots.add(dataDir.resolve("pools").toAbsolutePath().normalize()); // never the data dir itself: keys and journal live there
        config.allowedRoots().ifPresent(l -> l.forEach(p -> roots.add(p.toAbsolutePath().normalize())));
        return new StorageSettings(dataDir, config.mountDir().orElse(dataDir.resolve("shares")), List.copyOf(roots),
                List.copyOf(config.privilegedShareOptions().orElse(List.of())), config.nearFullPercent(),
                config.fullPercent(), config.probeTimeout(), config.commandTimeout(), new CommandRunner(config.commandTimeout()), Path.of("/sys"),
                Path.of("/proc"));
    }

    /** Starts with settings of the test's choosing (sysfs and procfs elsewhere). */
    Uni<Void> start(StorageSettings chosen) {
        settings = chosen;
        return super.start(null);
    }

    @Override
    protected Uni<Running> open(ScheduledExecutorService thread) {
        StorageSettings s = settings;
        Probes probes = new Probes();
        Reports reports = new Reports(cdb.get());
        Lvm lvm = new Lvm(s.commands(), config.lvm().activation());
        Devices devices = new Devices(reports, probes, s.probeTimeout(), s.sysRoot(), s.procRoot(), lvm::physicalVolumes);
        Shares shares = new Shares(reports, probes, s);
        LibvirtConnection libvirt = new LibvirtConnection(config.libvirtUri(), nodeId);
        Pools pools = new Pools(reports, probes, s, shares, lvm, libvirt);
        Storage storage = new Storage(reports, probes, s, devices, pools, shares);
        Running r = new Running(probes, libvirt, storage);
        opening = storage;
        startStep("storing the default pool " + config.defaultPool());
        return defaultPool(storage)
                .invoke(() -> startStep("the first reconcile of devices, shares and pools"))
                .chain(storage::reconcile)
                .invoke(() -> startStep("the first sample of devices, shares and pools"))
                .chain(storage::sample)
                .invoke(() -> LOG.infof("storage of node %s: data in %s, shares under %s", nodeId, s.dataDir(), s.mountDir()))
                .onFailure().invoke(f -> close(r))
                .onTermination().invoke(() -> opening = null)
                .replaceWith(r);
    }

    @Override
    public String startStep() {
        String step = super.startStep();
        Storage s = opening;
        String part = s == null ? null : s.reconciling();
        return part == null ? step : step + ": " + part;
    }

    /** Stores the default dir pool if configured and absent (each node then realises it under its own data dir). */
    private Uni<Void> defaultPool(Storage storage) {
        String id = config.defaultPool();
        if (id.equals("none") || cdb.get().object(Reports.key(id)).isPresent()) {
            return Uni.createFrom().voidItem();
        }
        ObjectNode spec = Json.object();
        spec.put("kind", "dir");
        // bounded: a node whose default pool cannot be made still starts, and says why
        Duration bound = config.commandTimeout().plus(Cdb.NOT_READY_WAIT);
        return storage.createPool(id, spec)
                .ifNoItem().after(bound)
                .failWith(() -> new AcpException(ErrorCode.TIMEOUT, "storing and realising it took over " + bound.toSeconds() + " s"))
                .onFailure(AcpException.class).recoverWithItem(f -> {
                    LOG.warnf("storage of node %s: no default pool %s: %s", nodeId, id, f.getMessage());
                    return null;
                }).replaceWithVoid();
    }

    /**
     * Nothing that can hang runs in these: every touch of a device, mount or LVM runs on a probe
     * thread with a timeout, so the ticks keep running past a hung NFS server.
     */
    @Override
    protected List<Collector> collectors(Running r) {
        return List.of(
                Collector.every("reconcile", config.reconcileInterval(), r.storage()::reconcile),
                Collector.every("stats sample", config.statsInterval(), r.storage()::sample));
    }

    @Override
    protected void close(Running r) {
        r.probes().close();
        r.libvirt().close();
    }

    /** The storage operations; {@code unavailable} while the service is not running. */
    public Storage storage() {
        return withRunning(Running::storage);
    }

    /** Probe threads still waiting on a call (a hung mount keeps one). */
    int busyProbes() {
        Running r = runningOrNull();
        return r == null ? 0 : r.probes().busy();
    }
}
