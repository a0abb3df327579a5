package io.acp.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * This node's side of every network: the reconcile (make the kernel and VPP match the networks
 * this node realises) and the sample (ports, counters and NICs into the CDB). Blocking, and not
 * thread-safe: the network service calls it on its own thread only.
 */
final class NodeNetworks {

    private final String nodeId;
    private final Cdb cdb;
    private final LinkBackend kernel;
    private final BridgeNetworks bridges;
    private final VppNetworks vpp;
    private final NicReport nics;
    /** Each realised network's state from the last reconcile. */
    private final Map<String, NetworkState> realised = new HashMap<>();
    /** The meta last written per network, so unchanged meta is not written again. */
    private final Map<String, ObjectNode> written = new HashMap<>();
    private boolean repairWanted;

    NodeNetworks(String nodeId, Cdb cdb, LinkBackend kernel, VppCtl vppctl, Optional<List<String>> uplinks, Optional<String> namespace) {
        this.nodeId = nodeId;
        this.cdb = cdb;
        this.kernel = kernel;
        this.bridges = new BridgeNetworks(nodeId, kernel, uplinks);
        this.vpp = new VppNetworks(nodeId, vppctl);
        this.nics = new NicReport(nodeId, cdb, namespace);
    }

    /** The links another ACP node made in this node's namespace, with that node (see {@link BridgeNetworks#othersLinks}). Any thread. */
    Map<String, String> othersLinks() {
        return bridges.othersLinks();
    }

    /** Repairs every network of this node and reports it; answers how many networks it realises. */
    int reconcile() {
        repairWanted = false;
        Map<String, NetworkSpec> wanted = new LinkedHashMap<>();
        Map<String, NetworkState> states = new HashMap<>();
        for (ObjectEntry e : cdb.objects(ObjectQuery.ofType(ObjectType.NETWORK))) {
            try {
                NetworkSpec spec = NetworkSpec.parse(e.id(), e.subtype(), e.spec());
                if (spec.realisedOn(nodeId)) {
                    wanted.put(spec.id(), spec);
                }
            } catch (AcpException invalid) {
                states.put(e.id(), NetworkState.failed("", "node " + nodeId + " cannot realise it: " + invalid.getMessage()));
            }
        }
        List<NetworkSpec> kernelNets = kind(wanted, false);
        states.putAll(bridges.reconcile(kernelNets, this::peers));
        states.putAll(vpp.reconcile(kind(wanted, true)));
        for (String gone : new ArrayList<>(written.keySet())) {
            if (!states.containsKey(gone)) {
                if (cdb.object(key(gone)).isPresent()) {
                    cdb.putMeta(key(gone), NetworkState.absent().toJson()); // unsubscribed; a deleted one has no meta left
                }
                written.remove(gone);
            }
        }
        realised.clear();
        realised.putAll(states);
        nics.reportMeta(kernel.links(), bridges::uplinks, kernel);
        sample();
        return wanted.size();
    }

    /** One sample: ports, counters and meta of every realised network, and the NICs' counters. */
    int sample() {
        Map<String, NetworkSpec> wanted = new LinkedHashMap<>();
        for (ObjectEntry e : cdb.objects(ObjectQuery.ofType(ObjectType.NETWORK))) {
            if (realised.containsKey(e.id())) {
                try {
                    wanted.put(e.id(), NetworkSpec.parse(e.id(), e.subtype(), e.spec()));
                } catch (AcpException invalid) {
                    report(e.id(), realised.get(e.id()), Map.of());
                }
            }
        }
        Map<String, Link> links = BridgeNetworks.byName(kernel.links());
        Map<String, List<String>> ports = bridges.samplePorts(kind(wanted, false), links, tap -> TapVlans.of(cdb, tap, wanted));
        Map<String, Counters> vppCounters = kind(wanted, true).isEmpty() ? Map.of() : vppSample(kind(wanted, true));
        for (NetworkSpec spec : wanted.values()) {
            NetworkState state = realised.get(spec.id());
            Map<String, Double> stats = new LinkedHashMap<>();
            if (spec.kind() == NetworkSpec.Kind.VPP_VLAN) {
                vppCounters.getOrDefault(spec.id(), Counters.ZERO).putInto(stats, "");
            } else if (state.isUp()) {
                state = kernelSample(state, ports.getOrDefault(spec.id(), List.of()), links, stats);
                repairWanted |= peersChanged(spec, state);
            }
            report(spec.id(), state, stats);
        }
        nics.reportStats(links, kernel);
        return wanted.size();
    }

    /** Counters of a kernel network: the sum of its bridge's ports (uplink device included), plus per-port keys. */
    private NetworkState kernelSample(NetworkState state, List<String> ports, Map<String, Link> links, Map<String, Double> stats) {
        if (!links.containsKey(state.bridge()) || !links.containsKey(state.uplinkDevice())) {
            repairWanted = true;
            String missing = links.containsKey(state.bridge()) ? state.uplinkDevice() : state.bridge();
            return state.down(missing + " is missing on node " + nodeId + "; the reconcile recreates it");
        }
        Counters total = links.get(state.uplinkDevice()).counters();
        for (String p : ports) {
            total = total.plus(links.get(p).counters());
        }
        total.putInto(stats, "");
        for (String p : ports) {
            links.get(p).counters().putInto(stats, p + ".");
        }
        return state.withInterfaces(ports);
    }

    /**
     * The tunnel endpoints of the other nodes on which vxlan network {@code id} is up, as their own
     * meta in the CDB says: a node that joins appears once it reports, one that leaves (or stops
     * realising the network) goes with its "up".
     */
    private Set<String> peers(String id) {
        Set<String> vteps = new TreeSet<>();
        for (MetaEntry m : cdb.meta(key(id), null)) {
            if (!m.node().equals(nodeId) && m.values().path("state").asText().equals("up") && m.values().hasNonNull("vtep")) {
                vteps.add(m.values().path("vtep").asText());
            }
        }
        return vteps;
    }

    /** A unicast vxlan network whose members changed since the reconcile: the forwarding entries must follow now. */
    private boolean peersChanged(NetworkSpec spec, NetworkState state) {
        if (spec.kind() != NetworkSpec.Kind.VXLAN || !spec.vxlan().unicast() || state.overlay() == null) {
            return false;
        }
        Set<String> now = peers(spec.id());
        now.remove(state.overlay().vtep());
        return !now.equals(new TreeSet<>(state.overlay().peers()));
    }

    private Map<String, Counters> vppSample(List<NetworkSpec> nets) {
        try {
            return vpp.sample(nets);
        } catch (RuntimeException e) {
            return Map.of(); // the next reconcile reports VPP's failure
        }
    }

    private void report(String id, NetworkState state, Map<String, Double> stats) {
        ObjectNode meta = state.toJson();
        if (!meta.equals(written.get(id))) {
            cdb.putMeta(key(id), meta);
            written.put(id, meta);
        }
        if (!stats.isEmpty()) {
            cdb.putStats(key(id), stats);
        }
    }

    /** A bridge or device went missing since the last reconcile: the service runs one at once. */
    boolean repairWanted() {
        return repairWanted;
    }

    /** Attaches an interface to a network realised here; answers this node's meta of it after. */
    JsonNode attach(String id, String iface, Optional<Integer> vlan) {
        NetworkSpec spec = realisedHere(id);
        try {
            bridges.attach(spec, iface, vlan);
        } catch (IllegalArgumentException e) {
            throw AcpException.badRequest(e.getMessage());
        } catch (IllegalStateException e) {
            throw new AcpException(ErrorCode.CONFLICT, e.getMessage());
        }
        sample();
        return written.get(id);
    }

    JsonNode detach(String id, String iface) {
        NetworkSpec spec = realisedHere(id);
        if (!bridges.detach(spec, iface)) {
            throw new AcpException(ErrorCode.NOT_FOUND, "interface " + iface + " is not a port of network " + id + " on node " + nodeId);
        }
        sample();
        return written.get(id);
    }

    private NetworkSpec realisedHere(String id) {
        ObjectEntry e = cdb.object(key(id)).orElseThrow(() -> new AcpException(ErrorCode.NOT_FOUND, "unknown network " + id + "; see 'acp network list'"));
        NetworkSpec spec = NetworkSpec.parse(id, e.subtype(), e.spec());
        if (!spec.realisedOn(nodeId)) {
            throw new AcpException(ErrorCode.CONFLICT, "network " + id + " is not realised on node " + nodeId + "; its nodes are "
                    + String.join(", ", spec.nodes()));
        }
        if (spec.kind() == NetworkSpec.Kind.VPP_VLAN) {
            throw AcpException.badRequest("network " + id + " is a vpp-vlan network: VPP interfaces are attached in VPP, not to a Linux bridge");
        }
        NetworkState state = realised.get(id);
        if (state == null || !state.isUp()) {
            throw new AcpException(ErrorCode.CONFLICT, "network " + id + " is not up on node " + nodeId
                    + (state == null || state.problem() == null ? "" : ": " + state.problem()));
        }
        return spec;
    }

    private static List<NetworkSpec> kind(Map<String, NetworkSpec> wanted, boolean vppOnly) {
        return wanted.values().stream().filter(s -> (s.kind() == NetworkSpec.Kind.VPP_VLAN) == vppOnly).toList();
    }

    static ObjectKey key(String id) {
        return new ObjectKey(ObjectType.NETWORK, id);
    }
}
