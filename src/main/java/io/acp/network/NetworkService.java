package io.acp.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.service.ClusterService;
import io.acp.node.Collector;
import io.acp.node.Health;
import io.acp.node.NodeIdentity;
import io.acp.node.PipelineService;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The network service: realises this node's networks (vlan, trunk, vpp-vlan, vxlan) in its network
 * namespace and reports them, their ports and the node's NICs in the CDB (docs/network.md).
 *
 * <p>{@code ip}, {@code bridge} and {@code vppctl} block, so the service owns one thread
 * ({@code acp-network}) that runs every command: the reconcile (every
 * {@code acp.network.reconcile-interval}, and at once when a sample finds a device missing), the
 * sample (every {@code acp.network.stats-interval}) and the attach/detach operations.
 */
@ApplicationScoped
public class NetworkService extends PipelineService<NodeNetworks> {

    private static final Logger LOG = Logger.getLogger(NetworkService.class);

    private final NetworkConfig config;
    private final Supplier<Cdb> cdb;

    @Inject
    public NetworkService(NetworkConfig config, NodeIdentity identity, ClusterService cluster) {
        this(config, identity.id(), cluster::cdb);
    }

    public NetworkService(NetworkConfig config, String nodeId, Supplier<Cdb> cdb) {
        super(nodeId);
        this.config = config;
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
    protected Uni<NodeNetworks> open(ScheduledExecutorService thread) {
        Commands commands = new Commands(config.namespace(), config.commandTimeout());
        NodeNetworks networks = new NodeNetworks(nodeId, cdb.get(), new IpLinkBackend(commands),
                new VppCtl(commands, config.vppctl()), config.uplinks(), commands.namespace());
        return Uni.createFrom().item(() -> {
                    ensureNamespace(commands);
                    return networks.reconcile();
                })
                .runSubscriptionOn(thread)
                .invoke(n -> LOG.infof("network service of node %s manages %s, %d network(s)", nodeId,
                        commands.namespace().map(ns -> "namespace " + ns).orElse("the process's own network namespace"), n))
                .replaceWith(networks);
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

    /** The sample repairs at once when it finds a device missing. */
    @Override
    protected List<Collector> collectors(NodeNetworks networks) {
        return List.of(
                Collector.every("reconcile", config.reconcileInterval(), () -> Uni.createFrom().item(networks::reconcile)),
                Collector.every("sample", config.statsInterval(), () -> Uni.createFrom().item(() -> {
                    int sampled = networks.sample();
                    return networks.repairWanted() ? networks.reconcile() : sampled;
                })));
    }

    /**
     * Unhealthy also while another ACP node's links are in this node's namespace: two nodes share
     * it, and each leaves the other's links alone, but their networks of the same name collide
     * (the framework publishes this, and the monitor raises {@code serviceUnhealthy}).
     */
    @Override
    public Health health() {
        Health own = super.health();
        NodeNetworks n = runningOrNull();
        Map<String, String> others = n == null ? Map.of() : n.othersLinks();
        if (!own.healthy() || others.isEmpty()) {
            return own;
        }
        Set<String> nodes = new TreeSet<>(others.values());
        return Health.unhealthy("node " + nodeId + ": its network namespace" + config.namespace().map(ns -> " " + ns).orElse("")
                + " holds links ACP node" + (nodes.size() == 1 ? " " : "s ") + String.join(", ", nodes) + " made (" + String.join(", ", others.keySet())
                + "): two nodes share one namespace; give each node its own acp.network.namespace");
    }

    /** A command that failed is the network's problem, reported in health and tried again. */
    @Override
    protected boolean isProblem(Throwable failure) {
        return super.isProblem(failure) || failure instanceof Commands.CommandFailure;
    }

    @Override
    protected String describeProblem(Throwable f) {
        return "node " + nodeId + ": " + f.getMessage();
    }

    /** Reconciles now (tests, and an operator's "repair now"); answers how many networks this node realises. */
    public Uni<Integer> reconcileNow() {
        return onWorker(NodeNetworks::reconcile);
    }

    /** Samples ports and counters now. */
    public Uni<Integer> sampleNow() {
        return onWorker(NodeNetworks::sample);
    }

    /** Makes {@code iface} a port of network {@code id} on this node; {@code vlan}: its untagged VLAN on a trunk. */
    public Uni<JsonNode> attach(String id, String iface, Optional<Integer> vlan) {
        return onWorker(n -> n.attach(id, iface, vlan));
    }

    public Uni<JsonNode> detach(String id, String iface) {
        return onWorker(n -> n.detach(id, iface));
    }
}
