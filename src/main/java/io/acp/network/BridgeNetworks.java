package io.acp.network;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Realises vlan, trunk and vxlan networks in the kernel and repairs them: the reconcile creates what
 * is missing of each network (bridge, VLAN or VXLAN device, uplink port) and deletes what ACP created for
 * networks this node no longer realises. A link without ACP's alias is never changed or deleted,
 * except a configured uplink, which a trunk takes as its port; nor is one whose alias names another
 * node ({@link LinkNames}).
 *
 * <p>Ports: the bridge ports seen at each sample are remembered, so when the kernel loses a bridge
 * (and with it every port's membership) the recreated bridge gets its ports back.
 */
final class BridgeNetworks {

    private static final Logger LOG = Logger.getLogger(BridgeNetworks.class);

    private final String nodeId;
    private final LinkBackend kernel;
    private final Optional<List<String>> configuredUplinks;
    private final VxlanTunnel tunnels;
    /** Ports of each network's bridge at the last sample, or attached since. */
    private final Map<String, Set<String>> ports = new HashMap<>();
    /** Ports whose VLANs ACP has set on a filtering trunk. */
    private final Set<String> portVlansSet = new HashSet<>();
    /**
     * As of the last reconcile: each link another ACP node made in this namespace, and that node
     * (a link new here is logged once). Read from any thread.
     */
    private volatile Map<String, String> othersLinks = Map.of();
    /** The kernel refused VLAN filtering (no CONFIG_BRIDGE_VLAN_FILTERING): trunks carry every VLAN unfiltered. */
    private boolean kernelCannotFilter;

    BridgeNetworks(String nodeId, LinkBackend kernel, Optional<List<String>> configuredUplinks) {
        this.nodeId = nodeId;
        this.kernel = kernel;
        this.configuredUplinks = configuredUplinks;
        this.tunnels = new VxlanTunnel(nodeId, kernel);
    }

    /**
     * The links another ACP node made in this node's namespace, by name, with that node, as of the
     * last reconcile: two nodes share the namespace. Any thread.
     */
    Map<String, String> othersLinks() {
        return othersLinks;
    }

    /** The uplinks networks may use on this node, among the links present. */
    List<String> uplinks(Map<String, Link> links) {
        return configuredUplinks
                .map(names -> names.stream().filter(links::containsKey).toList())
                .orElseGet(() -> links.values().stream().filter(Link::nic).map(Link::name).sorted().toList());
    }

    /**
     * Makes every wanted network exist; deletes ACP's links of other networks. Answers each network's
     * state. {@code peers}: the tunnel endpoints of the other members of a vxlan network.
     */
    Map<String, NetworkState> reconcile(List<NetworkSpec> wanted, Function<String, Set<String>> peers) {
        Map<String, Link> links = byName(kernel.links());
        Map<String, NetworkState> states = new HashMap<>();
        Set<String> wantedIds = new HashSet<>();
        for (NetworkSpec spec : wanted) {
            wantedIds.add(spec.id());
            NetworkState s;
            try {
                s = realise(spec, links, peers);
            } catch (RuntimeException e) {
                s = NetworkState.failed(LinkNames.bridge(spec.id()), "node " + nodeId + ": " + e.getMessage());
            }
            states.put(spec.id(), s);
        }
        Map<String, String> others = othersIn(links);
        removeUnwanted(links, wanted, others.keySet());
        othersLinks = others;
        ports.keySet().retainAll(wantedIds);
        return states;
    }

    private NetworkState realise(NetworkSpec spec, Map<String, Link> links, Function<String, Set<String>> peers) {
        String bridge = LinkNames.bridge(spec.id());
        List<String> uplinks = uplinks(links);
        if (!uplinks.contains(spec.uplink())) {
            return NetworkState.failed(bridge, "uplink " + spec.uplink() + " is not an uplink of node " + nodeId
                    + (uplinks.isEmpty() ? "; it has none" : "; it has " + String.join(", ", uplinks)));
        }
        Link b = links.get(bridge);
        if (b != null && !b.ownedBy(spec.id(), nodeId)) {
            return NetworkState.failed(bridge, "link " + bridge + " on node " + nodeId + " " + b.notOwnedReason(spec.id(), nodeId)
                    + "; ACP leaves it alone: rename or delete it");
        }
        boolean created = b == null;
        boolean overlay = spec.kind() == NetworkSpec.Kind.VXLAN;
        int mtu = overlay ? tunnels.mtu(spec, links.get(spec.uplink())) : spec.mtu();
        if (created) {
            kernel.createBridge(bridge, LinkNames.alias(spec.id(), nodeId), mtu);
        } else if (overlay && b.mtu() != mtu) {
            kernel.setMtu(bridge, mtu);
        }
        Boolean filtering = null;
        if (spec.kind() == NetworkSpec.Kind.TRUNK) {
            filtering = vlanFiltering(bridge, created ? null : b);
        }
        if (created || !b.adminUp()) {
            kernel.setUp(bridge);
        }
        if (overlay) {
            NetworkState.Overlay end = tunnels.realise(spec, bridge, links, mtu, peers.apply(spec.id()));
            reattach(spec, bridge, links);
            return NetworkState.upOverlay(bridge, LinkNames.vxlanDevice(spec.vxlan().vni()), end);
        }
        String device = spec.kind() == NetworkSpec.Kind.TRUNK ? trunkPort(spec, bridge, links, created, filtering)
                : vlanDevice(spec, bridge, links);
        if (!links.get(spec.uplink()).adminUp()) {
            kernel.setUp(spec.uplink());
        }
        reattach(spec, bridge, links);
        return NetworkState.up(bridge, device, filtering);
    }

    /** Turns filtering on where it is off, unless the kernel already said it cannot (asked once, not every reconcile). */
    private boolean vlanFiltering(String bridge, Link existing) {
        if (existing != null && existing.vlanFiltering()) {
            return true;
        }
        if (kernelCannotFilter) {
            return false;
        }
        kernelCannotFilter = !kernel.enableVlanFiltering(bridge);
        return !kernelCannotFilter;
    }

    /** vlan: the uplink's VLAN sub-interface as the bridge's port to the world. */
    private String vlanDevice(NetworkSpec spec, String bridge, Map<String, Link> links) {
        String name = LinkNames.vlanDevice(spec.uplink(), spec.vlan());
        Link d = links.get(name);
        if (d != null && !d.ownedBy(spec.id(), nodeId)) {
            throw new IllegalStateException("link " + name + " exists and " + d.notOwnedReason(spec.id(), nodeId) + "; ACP leaves it alone");
        }
        if (d == null) {
            kernel.createVlan(name, spec.uplink(), spec.vlan(), LinkNames.alias(spec.id(), nodeId), spec.mtu());
        }
        if (d == null || !bridge.equals(d.master())) {
            kernel.setMaster(name, bridge);
        }
        if (d == null || !d.adminUp()) {
            kernel.setUp(name);
        }
        return name;
    }

    /** trunk: the uplink itself is the bridge's port, tagged with every VLAN of the trunk. */
    private String trunkPort(NetworkSpec spec, String bridge, Map<String, Link> links, boolean created, boolean filtering) {
        Link up = links.get(spec.uplink());
        if (up.master() != null && !up.master().equals(bridge)) {
            throw new IllegalStateException("uplink " + spec.uplink() + " is already a port of bridge " + up.master());
        }
        if (created || up.master() == null) {
            kernel.setMaster(spec.uplink(), bridge);
            if (filtering) {
                spec.vlans().forEach(vid -> kernel.addPortVlan(spec.uplink(), vid, false));
            }
        }
        return spec.uplink();
    }

    /** Ports remembered for this network that lost their bridge (it was recreated) get it back. */
    private void reattach(NetworkSpec spec, String bridge, Map<String, Link> links) {
        for (String port : ports.getOrDefault(spec.id(), Set.of())) {
            Link p = links.get(port);
            if (p != null && p.master() == null) {
                kernel.setMaster(port, bridge);
                portVlansSet.remove(port);
            }
        }
    }

    /** The links another ACP node made, by name, with that node; each not there at the last reconcile is logged. */
    private Map<String, String> othersIn(Map<String, Link> links) {
        Map<String, String> others = new java.util.TreeMap<>();
        for (Link l : links.values()) {
            String owner = LinkNames.ownerOf(l.alias());
            if (owner == null || owner.equals(nodeId)) {
                continue;
            }
            others.put(l.name(), owner);
            if (!othersLinks.containsKey(l.name())) {
                LOG.warnf("network service of node %s leaves link %s alone: ACP node %s made it (alias '%s'), in this node's network"
                        + " namespace; two nodes should not share one (acp.network.namespace)", nodeId, l.name(), owner, l.alias());
            }
        }
        return Map.copyOf(others);
    }

    /** Deletes this node's links of networks it does not realise (never another node's: {@code others}). */
    private void removeUnwanted(Map<String, Link> links, List<NetworkSpec> wanted, Set<String> others) {
        Set<String> keep = new HashSet<>();
        for (NetworkSpec s : wanted) {
            keep.add(LinkNames.bridge(s.id()));
            if (s.kind() == NetworkSpec.Kind.VLAN) {
                keep.add(LinkNames.vlanDevice(s.uplink(), s.vlan()));
            } else if (s.kind() == NetworkSpec.Kind.VXLAN) {
                keep.add(LinkNames.vxlanDevice(s.vxlan().vni()));
            }
        }
        // VLAN and VXLAN devices first: a bridge's delete would only release them.
        List<Link> doomed = new ArrayList<>(links.values().stream()
                .filter(l -> LinkNames.networkOf(l.alias()) != null && !keep.contains(l.name()) && !others.contains(l.name()))
                .toList());
        doomed.sort((a, c) -> Boolean.compare(a.kind().equals("bridge"), c.kind().equals("bridge")));
        for (Link l : doomed) {
            LOG.infof("network service of node %s deletes link %s of network %s: this node does not realise that network", nodeId, l.name(),
                    LinkNames.networkOf(l.alias()));
            kernel.delete(l.name());
        }
    }

    /** Ports of each wanted network's bridge now, remembered for repairs; missing bridges keep the old set. */
    Map<String, List<String>> samplePorts(List<NetworkSpec> wanted, Map<String, Link> links, Function<Link, Optional<Integer>> tapVlan) {
        Map<String, List<String>> now = new HashMap<>();
        for (NetworkSpec spec : wanted) {
            String bridge = LinkNames.bridge(spec.id());
            Link b = links.get(bridge);
            if (b == null) {
                continue;
            }
            String device = switch (spec.kind()) {
                case TRUNK -> spec.uplink();
                case VXLAN -> LinkNames.vxlanDevice(spec.vxlan().vni());
                default -> LinkNames.vlanDevice(spec.uplink(), spec.vlan());
            };
            List<String> on = links.values().stream()
                    .filter(l -> bridge.equals(l.master()) && !l.name().equals(device))
                    .map(Link::name).sorted().toList();
            now.put(spec.id(), on);
            ports.put(spec.id(), new HashSet<>(on));
            if (spec.kind() == NetworkSpec.Kind.TRUNK && b.vlanFiltering()) {
                for (String port : on) {
                    if (portVlansSet.add(port)) {
                        setTrunkPortVlans(spec, port, tapVlan.apply(links.get(port)));
                    }
                }
            }
        }
        portVlansSet.retainAll(links.keySet());
        return now;
    }

    /** A trunk port gets one untagged VLAN when its system NIC names one, else every trunk VLAN tagged. */
    private void setTrunkPortVlans(NetworkSpec spec, String port, Optional<Integer> vlan) {
        if (vlan.isPresent()) {
            kernel.addPortVlan(port, vlan.get(), true);
        } else {
            spec.vlans().forEach(vid -> kernel.addPortVlan(port, vid, false));
        }
    }

    /** Makes {@code iface} a port of the network's bridge (with {@code vlan} untagged on a trunk). */
    void attach(NetworkSpec spec, String iface, Optional<Integer> vlan) {
        Map<String, Link> links = byName(kernel.links());
        String bridge = LinkNames.bridge(spec.id());
        Link b = links.get(bridge);
        if (b == null || !b.ownedBy(spec.id(), nodeId)) {
            throw new IllegalStateException("network " + spec.id() + " has no bridge on node " + nodeId + " yet (" + bridge + ")");
        }
        Link l = links.get(iface);
        if (l == null) {
            throw new IllegalArgumentException("node " + nodeId + " has no interface " + iface);
        }
        if (l.createdByAcp() || uplinks(links).contains(iface)) {
            throw new IllegalArgumentException("interface " + iface + " on node " + nodeId + " is an uplink or a link of ACP's own; attach a tap or veth");
        }
        if (l.master() != null && !l.master().equals(bridge)) {
            throw new IllegalStateException("interface " + iface + " on node " + nodeId + " is already a port of bridge " + l.master()
                    + "; detach it first");
        }
        if (!bridge.equals(l.master())) {
            kernel.setMaster(iface, bridge);
        }
        if (spec.kind() == NetworkSpec.Kind.VXLAN && l.mtu() > b.mtu()) {
            kernel.setMtu(iface, b.mtu()); // a larger frame could not enter the tunnel and would be dropped
        }
        if (!l.adminUp()) {
            kernel.setUp(iface);
        }
        if (spec.kind() == NetworkSpec.Kind.TRUNK && b.vlanFiltering()) {
            setTrunkPortVlans(spec, iface, vlan);
            portVlansSet.add(iface);
        }
        ports.computeIfAbsent(spec.id(), k -> new HashSet<>()).add(iface);
    }

    /** Takes {@code iface} off the network's bridge; answers false if it was not a port of it. */
    boolean detach(NetworkSpec spec, String iface) {
        String bridge = LinkNames.bridge(spec.id());
        Link l = byName(kernel.links()).get(iface);
        Set<String> remembered = ports.getOrDefault(spec.id(), new HashSet<>());
        boolean wasPort = remembered.remove(iface);
        portVlansSet.remove(iface);
        if (l != null && bridge.equals(l.master())) {
            kernel.releaseFromBridge(iface);
            return true;
        }
        return wasPort;
    }

    static Map<String, Link> byName(List<Link> links) {
        Map<String, Link> m = new HashMap<>();
        links.forEach(l -> m.put(l.name(), l));
        return m;
    }
}
