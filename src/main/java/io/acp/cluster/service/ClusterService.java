package io.acp.cluster.service;

import io.acp.cluster.ClusterConfig;
import io.acp.cluster.Cdb;
import io.acp.cluster.Readiness;
import io.acp.cluster.bridge.BridgeSettings;
import io.acp.cluster.bridge.ClusterBridge;
import io.acp.cluster.history.HistoryKeeper;
import io.acp.cluster.history.StatsHistory;
import io.acp.cluster.journal.Journal;
import io.acp.cluster.sync.ClusterSync;
import io.acp.cluster.sync.SecretRotation;
import io.acp.cluster.sync.SyncSettings;
import io.acp.node.ManagedService;
import io.acp.node.NodeIdentity;
import io.acp.node.ServiceContext;
import io.acp.model.HybridClock;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.acp.security.ClusterSecretSlots;
import io.acp.security.PkiFiles;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The cluster service: owns this node's CDB and its journal, and runs their maintenance (tombstone
 * collection, journal compaction) every {@link #MAINTENANCE_INTERVAL} on its own thread. With
 * {@code acp.cluster.sync.enabled} it also replicates the CDB to the other nodes ({@link ClusterSync})
 * and publishes the sync counters every second as stats of {@code service/<node>:cluster}; with
 * {@code acp.cluster.bridge.enabled} it relays the CDB with a remote cluster ({@link ClusterBridge}),
 * started after the sync and stopped before it.
 */
@ApplicationScoped
public class ClusterService implements ManagedService {

    private static final Logger LOG = Logger.getLogger(ClusterService.class);
    static final Duration MAINTENANCE_INTERVAL = Duration.ofSeconds(10);
    static final Duration SYNC_STATS_INTERVAL = Duration.ofSeconds(1);

    private final ClusterConfig config;
    private final NodeIdentity identity;
    private volatile Cdb cdb;
    private volatile ClusterSync sync;
    private volatile ClusterBridge bridge;
    private volatile HistoryKeeper history;
    private final AgreementHorizon agreement = new AgreementHorizon();
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
                    Cdb opened = new Cdb(identity.id(), new HybridClock(), journal, config.statsHistory(), config.maxClockAhead());
                    int replayed;
                    try {
                        replayed = opened.recover();
                    } catch (RuntimeException e) {
                        opened.close();
                        throw e;
                    }
                    LOG.infof("CDB of node %s loaded: %d journal records, %d objects", identity.id(), replayed, opened.objectCount());
                    history = HistoryKeeper.start(opened, identity.dataDir(), config.history().maxSeries(), config.history().snapshotInterval());
                    if (config.sync().enabled()) {
                        opened.readiness(Readiness.SYNCING); // from the first answer: the sync has not pulled anything yet
                    }
                    cdb = opened;
                    scheduleMaintenance(new ClusterMaintenance(opened, journal, config.tombstoneTtl(), System::currentTimeMillis, this::everyMemberAgreedAt,
                            this::membersNotHoldingThisState));
                    return opened;
                })
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(opened -> startSync(opened).chain(() -> startBridge(opened)));
    }

    private Uni<Void> startBridge(Cdb opened) {
        if (!config.bridge().enabled()) {
            return Uni.createFrom().voidItem();
        }
        ClusterBridge started = new ClusterBridge(opened, BridgeSettings.from(config.bridge()), identity.id(), identity.dataDir());
        ClusterSync syncing = sync;
        if (syncing != null) {
            syncing.relayBridgedEntries(); // the remote entries the bridge admits reach the other nodes under its seal
            started.useSeals(syncing::sealed); // and this cluster's entries reach the remote one under their authors' seals
        }
        return started.start()
                .invoke(() -> bridge = started);
    }

    private Uni<Void> startSync(Cdb opened) {
        if (!config.sync().enabled()) {
            return Uni.createFrom().voidItem();
        }
        ClusterSync started = new ClusterSync(opened, syncSettings(), identity.id(), identity.dataDir());
        // CA-signed revocations in the CDB (acp cluster revoke) cut a revoked node's entries and messages off
        // (a node without PKI has none to check; its sync refuses to start and says to run acp cluster init)
        PkiFiles pki = PkiFiles.in(identity.dataDir());
        if (Files.exists(pki.caCertificate())) {
            started.useRevocations(ClusterRevocations.of(opened, pki));
        }
        return started.start()
                .invoke(() -> {
                    sync = started;
                    ObjectKey self = ObjectKey.of(ObjectType.SERVICE, identity.id() + ":cluster");
                    long every = SYNC_STATS_INTERVAL.toMillis();
                    maintenance.scheduleAtFixedRate(() -> publishSyncStats(opened, started, self), every, every, TimeUnit.MILLISECONDS);
                    LOG.infof("cluster sync of node %s running on %s (epoch %d)", identity.id(), started.address(), started.epoch());
                });
    }

    /**
     * The sync settings with the secrets: the configured ones, else the two slots of this node's
     * PKI directory (the second one is there mid-rotation, see {@link #secretRotation()}).
     */
    private SyncSettings syncSettings() {
        SyncSettings settings = SyncSettings.from(config.sync(), syncSecret());
        if (config.sync().secret().isPresent()) {
            return settings;
        }
        return settings.withPreviousSecret(ClusterSecretSlots.in(identity.dataDir()).previous());
    }

    /**
     * One step of {@code acp cluster rotate-secret} on this node, on its running sync and its PKI
     * files. Refused when the secret is configured ({@code acp.cluster.sync.secret}): a restart would
     * bring the configured one back.
     */
    public SecretRotation secretRotation() {
        if (config.sync().secret().isPresent()) {
            throw new AcpException(ErrorCode.CONFLICT, "node " + identity.id() + " takes its cluster secret from acp.cluster.sync.secret: "
                    + "rotate it there (acp.cluster.sync.previous-secret holds the other slot), not with acp cluster rotate-secret");
        }
        return new SecretRotation(identity.id(), ClusterSecretSlots.in(identity.dataDir()), sync);
    }

    /**
     * The configured {@code acp.cluster.sync.secret}, else the cluster secret that {@code acp cluster
     * init} (or {@code add-node}) put in this node's PKI directory.
     */
    private String syncSecret() {
        if (config.sync().secret().isPresent()) {
            return config.sync().secret().get();
        }
        Path file = PkiFiles.in(identity.dataDir()).clusterSecret();
        try {
            return Files.readString(file).trim();
        } catch (NoSuchFileException e) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "cluster sync on node " + identity.id() + " has no secret: set acp.cluster.sync.secret, "
                    + "or make this node part of a cluster with 'acp cluster init' or 'acp cluster add-node' (they write " + file + ")");
        } catch (IOException e) {
            throw new UncheckedIOException("cluster secret " + file + " of node " + identity.id() + " could not be read", e);
        }
    }

    private void publishSyncStats(Cdb cdb, ClusterSync sync, ObjectKey self) {
        agreement.observe(sync.membersNotHoldingThisState().isEmpty(), System.currentTimeMillis());
        Map<String, Double> values = new HashMap<>();
        sync.stats().forEach((k, v) -> values.put(k, v.doubleValue()));
        ClusterBridge linked = bridge;
        if (linked != null) {
            linked.stats().forEach((k, v) -> values.put(k, v.doubleValue()));
        }
        cdb.putStats(self, values);
    }

    /** Without sync the node is its only member; with it, when every member last held its state (see ClusterSync#membersNotHoldingThisState). */
    private long everyMemberAgreedAt() {
        return sync == null ? Long.MAX_VALUE : agreement.agreedAtMillis();
    }

    /** The members that do not hold this node's state now; none without sync. */
    private List<String> membersNotHoldingThisState() {
        ClusterSync running = sync;
        return running == null ? List.of() : running.membersNotHoldingThisState();
    }

    /** The running bridge, or null when the bridge is disabled or the service is stopped. */
    public ClusterBridge bridge() {
        return bridge;
    }

    /** The running sync, or null when sync is disabled or the service is stopped. */
    public ClusterSync sync() {
        return sync;
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
                    ClusterBridge linked = bridge;
                    bridge = null;
                    if (linked != null) {
                        linked.stop().await().atMost(Duration.ofSeconds(30));
                    }
                    ClusterSync running = sync;
                    sync = null;
                    if (running != null) {
                        running.stop().await().atMost(Duration.ofSeconds(30));
                    }
                    try {
                        stopMaintenance();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    HistoryKeeper kept = history;
                    history = null;
                    if (kept != null) {
                        kept.close();
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

    /** This node's stats history; fails with UNAVAILABLE while the cluster service is not running. */
    public StatsHistory history() {
        HistoryKeeper h = history;
        if (h == null) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "cluster service on node " + identity.id() + " is not running");
        }
        return h.history();
    }

    public boolean running() {
        return cdb != null;
    }

    /**
     * For a readiness probe: {@link Readiness#READY} once the CDB holds the cluster's state (at
     * once without sync; with sync once it has pulled from the peers it can reach, see
     * {@link io.acp.cluster.sync.ClusterSync}), {@link Readiness#SYNCING} while it catches up or the
     * service is not running.
     */
    public Readiness readiness() {
        Cdb c = cdb;
        return c == null ? Readiness.SYNCING : c.readiness();
    }
}
