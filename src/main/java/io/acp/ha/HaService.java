package io.acp.ha;

import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.cluster.service.ClusterService;
import io.acp.hypervisor.HypervisorService;
import io.acp.hypervisor.Placement;
import io.acp.hypervisor.SystemSpec;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.node.Collector;
import io.acp.node.NodeIdentity;
import io.acp.node.PipelineService;
import io.acp.security.PkiFiles;
import io.microraft.RaftConfig;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The HA service: this node's member of the ownership group (docs/architecture.md, "Ownership").
 * On a node that runs systems it claims the HA systems assigned to it, releases the ones no longer
 * HA, fences its copies when it loses its lease, and, while it leads the group, moves a failed
 * node's systems to nodes with room. A witness ({@code acp.ha.witness}) only votes.
 */
@ApplicationScoped
public class HaService extends PipelineService<HaService.Running> {

    private static final Logger LOG = Logger.getLogger(HaService.class);
    /** How often claims and releases are compared with the CDB, and the view of running systems refreshed. */
    private static final Duration CLAIM_INTERVAL = Duration.ofSeconds(1);

    private final HaConfig config;
    private final Path dataDir;
    private final ClusterService cluster;
    private final HypervisorService hypervisor;
    private final Vertx vertx;

    record Running(OwnershipMember member, HypervisorHaSystems systems, Cdb cdb, FenceGuard guard) {
    }

    @Inject
    public HaService(HaConfig config, NodeIdentity identity, ClusterService cluster, HypervisorService hypervisor, Vertx vertx) {
        super(identity.id());
        this.config = config;
        this.dataDir = identity.dataDir();
        this.cluster = cluster;
        this.hypervisor = hypervisor;
        this.vertx = vertx;
    }

    /** Only for CDI's client proxy. */
    protected HaService() {
        this.config = null;
        this.dataDir = null;
        this.cluster = null;
        this.hypervisor = null;
        this.vertx = null;
    }

    @Override
    public String name() {
        return "ha";
    }

    @Override
    public Set<String> dependencies() {
        return config.witness() ? Set.of("cluster") : Set.of("cluster", "hypervisor");
    }

    @Override
    protected Uni<Running> open(java.util.concurrent.ScheduledExecutorService worker) {
        Map<String, SocketAddress> members = members(config.members(), nodeId);
        OwnershipTimes times = new OwnershipTimes(config.lease().toMillis(), config.renewInterval().toMillis(), config.tick().toMillis(),
                config.stopTimeout().toMillis(), config.margin().toMillis(), config.proposeTimeout().toMillis());
        Cdb cdb = cluster.cdb();
        HaMeta meta = new HaMeta(cdb);
        HypervisorHaSystems systems = config.witness() ? null : new HypervisorHaSystems(nodeId, cdb, hypervisor, meta);
        List<String> priority = config.priority().orElse(List.of());
        Set<String> witnesses = config.witness() ? Set.of(nodeId) : Set.of();
        Failover.Target target = (system, failed, live) -> cdb.object(ObjectKey.of(ObjectType.SYSTEM, system))
                .flatMap(e -> Placement.chooseAmong(cdb, nodeId, SystemSpec.parse(system, e.spec()),
                        live.stream().filter(n -> !n.equals(failed) && !witnesses.contains(n)).toList(), priority,
                        System.currentTimeMillis()));
        FenceGuard guard;
        try {
            guard = systems != null && config.guard().enabled() ? FenceGuard.start(config.guard().watchdogDevice(), config.guard().systemdWatchdog()) : null;
        } catch (java.io.IOException e) {
            return Uni.createFrom().failure(new IllegalStateException("rule ha-fence-guard: node " + nodeId
                    + " could not start its fence guard (bash): " + e.getMessage()
                    + "; install bash or set acp.ha.guard.enabled=false (a dead acp then leaves its HA systems running)", e));
        }
        FileRaftStore store;
        try {
            store = FileRaftStore.open(dataDir.resolve("ha"));
        } catch (java.io.IOException | RuntimeException e) {
            if (guard != null) {
                guard.close();
            }
            return Uni.createFrom().failure(new IllegalStateException("rule ha-raft-store: node " + nodeId + " could not read its ownership group's Raft store in "
                    + dataDir.resolve("ha") + ": " + e.getMessage(), e));
        }
        OwnershipMember member = new OwnershipMember(vertx, nodeId, members, SocketAddress.inetSocketAddress(config.port(), config.host()),
                PkiFiles.in(dataDir), times, raft(config), systems == null ? new NoSystems() : systems, target, new Reporter(meta, systems, guard), store);
        if (systems != null) {
            hypervisor.handOverWith((system, from, to) -> Uni.createFrom().completionStage(() -> member.hand(system, from, to))
                    .onFailure().transform(f -> new AcpException(ErrorCode.CONFLICT, "rule ha-ownership: the ownership group did not hand HA system "
                            + system + " from node " + from + " to node " + to + ": " + (f instanceof java.util.concurrent.CompletionException && f.getCause() != null
                            ? f.getCause().getMessage() : f.getMessage()), f))
                    .replaceWithVoid());
        }
        return Uni.createFrom().completionStage(() -> member.start().toCompletionStage())
                .invoke(port -> LOG.infof("HA ownership member %s listens on %s:%d; members %s; fencing bound %d ms, takeover after %d ms; fence guard %s",
                        nodeId, config.host(), port, members.keySet(), times.fencingBoundMillis(), times.takeoverDelayMillis(),
                        guard == null ? "off" : "pid " + guard.pid()))
                .onFailure().invoke(f -> {
                    if (guard != null) {
                        guard.close();
                    }
                })
                .replaceWith(new Running(member, systems, cdb, guard));
    }

    @Override
    protected List<Collector> collectors(Running r) {
        if (r.systems() == null) {
            return List.of();
        }
        return List.of(Collector.every("claims", CLAIM_INTERVAL, () -> r.systems().refresh(r.member().owners().keySet())
                .map(running -> claims(r))).provingNothing());
    }

    /** Claims unowned HA systems assigned here, releases this node's systems that are no longer HA. */
    private int claims(Running r) {
        Map<String, String> owners = r.member().owners();
        int changed = 0;
        Set<String> ha = new java.util.HashSet<>();
        for (ObjectEntry e : r.cdb().objects(ObjectQuery.ofType(ObjectType.SYSTEM))) {
            if (!e.spec().path("ha").asBoolean(false)) {
                continue;
            }
            ha.add(e.id());
            if (!owners.containsKey(e.id()) && nodeId.equals(e.spec().path("node").asText(null))) {
                r.member().take(e.id(), nodeId);
                changed++;
            }
        }
        for (Map.Entry<String, String> o : owners.entrySet()) {
            if (o.getValue().equals(nodeId) && !ha.contains(o.getKey())) {
                r.member().release(o.getKey(), nodeId);
                changed++;
            }
        }
        return changed;
    }

    @Override
    protected void close(Running r) {
        if (r.systems() != null) {
            hypervisor.handOverWith(null);
        }
        r.member().stop();
        if (r.guard() != null) {
            // Not a stand-down: the guard kills the HA VMMs at the last lease end told, as for a dead
            // acp, since nothing renews the lease any more and survivors will start the systems.
            r.guard().close();
        }
    }

    /** {@code acp.ha.members} as node → address; refuses a list without this node or with an even count. */
    static Map<String, SocketAddress> members(Optional<List<String>> configured, String self) {
        List<String> listed = configured.orElseThrow(() -> new IllegalArgumentException(
                "acp.ha.members is not set: list every voting member as node@host:port (an odd number, this node " + self + " included)"));
        Map<String, SocketAddress> out = new LinkedHashMap<>();
        for (String m : listed) {
            String v = m.strip();
            int at = v.indexOf('@');
            int colon = v.lastIndexOf(':');
            if (at <= 0 || colon < at) {
                throw new IllegalArgumentException("acp.ha.members: '" + v + "' is not node@host:port");
            }
            try {
                out.put(v.substring(0, at), SocketAddress.inetSocketAddress(Integer.parseInt(v.substring(colon + 1)), v.substring(at + 1, colon)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("acp.ha.members: '" + v + "' has no port number");
            }
        }
        if (!out.containsKey(self)) {
            throw new IllegalArgumentException("acp.ha.members " + out.keySet() + " does not include this node " + self);
        }
        if (out.size() % 2 == 0) {
            throw new IllegalArgumentException("acp.ha.members lists " + out.size() + " voting members " + out.keySet()
                    + "; use an odd number (add a witness: an acp node with acp.ha.witness=true)");
        }
        return out;
    }

    static RaftConfig raft(HaConfig config) {
        long election = config.electionTimeout().toMillis();
        return RaftConfig.newBuilder()
                .setLeaderElectionTimeoutMillis(election)
                .setLeaderHeartbeatPeriodSecs(1)
                .setLeaderHeartbeatTimeoutSecs(Math.max(2, (election * 2 + 999) / 1000))
                .setCommitCountToTakeSnapshot(1_000)
                .build();
    }

    /** The ownership leader's decisions, as meta of the systems concerned; this node's lease end, to the fence guard. */
    private record Reporter(HaMeta meta, HypervisorHaSystems systems, FenceGuard guard) implements OwnershipMember.Listener {
        @Override
        public void lease(long remainingMillis) {
            if (guard != null) {
                guard.lease(remainingMillis, systems.vmms());
            }
        }

        @Override
        public void moved(Failover.Moves moves) {
            moves.asked().forEach((system, to) -> meta.write(system, HaMeta.State.RECOVERING, "its node's HA lease expired; restarting it on node " + to));
            moves.homeless().forEach((system, failed) -> meta.write(system, HaMeta.State.ERROR,
                    "node " + failed + " failed and no live node has room for it; it stays stopped until one has"));
        }
    }

    private static final class NoSystems implements HaSystems {
        @Override
        public Set<String> running() {
            return Set.of();
        }

        @Override
        public void start(String system) {
            LOG.errorf("witness asked to start system %s: a witness runs no systems", system);
        }

        @Override
        public void stop(String system) {
        }
    }
}
