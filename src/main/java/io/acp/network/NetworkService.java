package io.acp.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import io.acp.node.Health;
import io.acp.node.ManagedService;
import io.acp.node.NodeIdentity;
import io.acp.node.ServiceContext;
import io.acp.node.ServiceThread;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The network service: realises this node's networks (vlan, trunk, vpp-vlan) in its network
 * namespace and reports them, their ports and the node's NICs in the CDB (docs/network.md).
 *
 * <p>{@code ip}, {@code bridge} and {@code vppctl} block, so the service owns one thread
 * ({@code acp-network}) that runs every command: the reconcile (every
 * {@code acp.network.reconcile-interval}, and at once when a sample finds a device missing), the
 * sample (every {@code acp.network.stats-interval}) and the attach/detach operations.
 */
@ApplicationScoped
public class NetworkService implements ManagedService {

    private static final Logger LOG = Logger.getLogger(NetworkService.class);

    private final NetworkConfig config;
    private final String nodeId;
    private final Supplier<Cdb> cdb;
    private volatile Running running;
    private volatile String lastProblem;

    private record Running(ScheduledThreadPoolExecutor thread, NodeNetworks networks) {
    }

    @Inject
    public NetworkService(NetworkConfig config, NodeIdentity identity, ClusterService cluster) {
        this(config, identity.id(), cluster::cdb);
    }

    public NetworkService(NetworkConfig config, String nodeId, Supplier<Cdb> cdb) {
        this.config = config;
        this.nodeId = nodeId;
        this.cdb = cdb;
    }

    @Override
    public String name() {
        return "network";
    }

    @Override
    public Set<String> dependencies() {
        return Set.of("cluster");
    }

    @Override
    public Uni<Void> start(ServiceContext context) {
        return Uni.createFrom().deferred(() -> {
            ScheduledThreadPoolExecutor thread = ServiceThread.named("network");
            Commands commands = new Commands(config.namespace(), config.commandTimeout());
            NodeNetworks networks = new NodeNetworks(nodeId, cdb.get(), new IpLinkBackend(commands),
                    new VppCtl(commands, config.vppctl()), config.uplinks(), commands.namespace());
            Running r = new Running(thread, networks);
            return Uni.createFrom().item(() -> {
                        ensureNamespace(commands);
                        return networks.reconcile();
                    })
                    .runSubscriptionOn(thread)
                    .onFailure().invoke(f -> thread.shutdownNow())
                    .invoke(n -> {
                        running = r;
                        every(r, config.reconcileInterval(), networks::reconcile);
                        every(r, config.statsInterval(), () -> {
                            int sampled = networks.sample();
                            return networks.repairWanted() ? networks.reconcile() : sampled;
                        });
                        LOG.infof("network service of node %s manages %s, %d network(s)", nodeId,
                                commands.namespace().map(ns -> "namespace " + ns).orElse("the process's own network namespace"), n);
                    })
                    .replaceWithVoid();
        });
    }

    /** A configured namespace that does not exist yet is created (scripts/dev's acp-dev). */
    private void ensureNamespace(Commands commands) {
        Optional<String> ns = commands.namespace();
        if (ns.isPresent() && !new Commands(Optional.empty(), config.commandTimeout()).ip("netns", "list").lines()
                .anyMatch(l -> l.split(" ")[0].equals(ns.get()))) {
            new Commands(Optional.empty(), config.commandTimeout()).ip("netns", "add", ns.get());
            LOG.infof("network service of node %s created network namespace %s", nodeId, ns.get());
        }
    }

    /**
     * Runs {@code tick} every {@code interval} on the network thread (one thread: ticks never
     * overlap); a failing tick makes the service unhealthy until a tick succeeds.
     */
    private void every(Running r, Duration interval, IntSupplier tick) {
        long ms = interval.toMillis();
        r.thread().scheduleWithFixedDelay(() -> {
            try {
                tick.getAsInt();
                lastProblem = null;
            } catch (RuntimeException e) {
                problem(e);
            }
        }, ms, ms, TimeUnit.MILLISECONDS);
    }

    private void problem(Throwable f) {
        String message = "node " + nodeId + ": " + f.getMessage();
        if (!message.equals(lastProblem)) {
            LOG.warnf("network service: %s", message);
        }
        lastProblem = message;
    }

    @Override
    public Uni<Void> stop() {
        Running r = running;
        running = null;
        if (r != null) {
            r.thread().shutdownNow();
        }
        return Uni.createFrom().voidItem();
    }

    @Override
    public Health health() {
        String p = lastProblem;
        return p == null ? Health.OK : Health.unhealthy(p);
    }

    /** Reconciles now (tests, and an operator's "repair now"); answers how many networks this node realises. */
    public Uni<Integer> reconcileNow() {
        return onThread(r -> r.networks().reconcile());
    }

    /** Samples ports and counters now. */
    public Uni<Integer> sampleNow() {
        return onThread(r -> r.networks().sample());
    }

    /** Makes {@code iface} a port of network {@code id} on this node; {@code vlan}: its untagged VLAN on a trunk. */
    public Uni<JsonNode> attach(String id, String iface, Optional<Integer> vlan) {
        return onThread(r -> r.networks().attach(id, iface, vlan));
    }

    public Uni<JsonNode> detach(String id, String iface) {
        return onThread(r -> r.networks().detach(id, iface));
    }

    private <T> Uni<T> onThread(java.util.function.Function<Running, T> work) {
        return Uni.createFrom().deferred(() -> {
            Running r = running;
            if (r == null) {
                return Uni.createFrom().failure(new AcpException(ErrorCode.UNAVAILABLE, "network service on node " + nodeId + " is not running"));
            }
            return Uni.createFrom().item(() -> work.apply(r)).runSubscriptionOn(r.thread());
        });
    }
}
