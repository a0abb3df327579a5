package io.acp.network;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The VXLAN device of a vxlan network on this node: made on the underlay NIC with the underlay's
 * IPv4 address as its tunnel endpoint (VTEP), a port of the network's bridge, at an MTU that leaves
 * room for the 50 bytes of VXLAN headers. Without a multicast group, broadcast and unknown traffic
 * goes to every peer by head-end replication: one all-zero forwarding entry per peer VTEP, kept
 * equal to the peers the CDB names.
 */
final class VxlanTunnel {

    private final String nodeId;
    private final LinkBackend kernel;

    VxlanTunnel(String nodeId, LinkBackend kernel) {
        this.nodeId = nodeId;
        this.kernel = kernel;
    }

    /** What a device is made with, comparable with what {@link Link#tunnel()} reads back from the kernel. */
    static String describe(int vni, int port, String local, String group, String underlay) {
        return "vni " + vni + " port " + port + " local " + local + " group " + (group == null || group.isEmpty() ? "-" : group)
                + " dev " + underlay;
    }

    /**
     * The MTU the overlay runs at: the spec's, or the underlay's less the VXLAN overhead. A spec MTU
     * that does not fit is refused naming the rule, the underlay and the node.
     */
    int mtu(NetworkSpec spec, Link underlay) {
        int max = underlay.mtu() - Vxlan.OVERHEAD;
        if (spec.mtu() > max) {
            throw new IllegalStateException("MTU " + spec.mtu() + " does not fit the underlay: " + spec.uplink() + " on node " + nodeId
                    + " has MTU " + underlay.mtu() + " and VXLAN needs " + Vxlan.OVERHEAD + " bytes of headers, so at most " + max);
        }
        return spec.mtu() > 0 ? spec.mtu() : max;
    }

    /** Makes the device a port of {@code bridge} with the forwarding entries for {@code peers}; answers this node's end. */
    NetworkState.Overlay realise(NetworkSpec spec, String bridge, Map<String, Link> links, int mtu, Set<String> peers) {
        Vxlan vx = spec.vxlan();
        String local = kernel.ipv4Address(spec.uplink()).orElseThrow(() -> new IllegalStateException("underlay " + spec.uplink()
                + " on node " + nodeId + " has no IPv4 address; a VXLAN tunnel endpoint needs one"));
        String name = LinkNames.vxlanDevice(vx.vni());
        String wanted = describe(vx.vni(), vx.port(), local, vx.group(), spec.uplink());
        Link d = links.get(name);
        if (d != null && !d.ownedBy(spec.id(), nodeId)) {
            throw new IllegalStateException("link " + name + " exists and " + d.notOwnedReason(spec.id(), nodeId) + "; ACP leaves it alone");
        }
        if (d != null && !wanted.equals(d.tunnel())) {
            kernel.delete(name); // made for another address or port: a VXLAN device cannot be changed in place
            d = null;
        }
        if (d == null) {
            kernel.createVxlan(name, vx, spec.uplink(), local, LinkNames.alias(spec.id(), nodeId), mtu);
        } else if (d.mtu() != mtu) {
            kernel.setMtu(name, mtu);
        }
        if (d == null || !bridge.equals(d.master())) {
            kernel.setMaster(name, bridge);
        }
        if (d == null || !d.adminUp()) {
            kernel.setUp(name);
        }
        Set<String> others = new TreeSet<>(peers);
        others.remove(local);
        if (vx.unicast()) {
            followPeers(name, others);
        }
        return new NetworkState.Overlay(local, vx.unicast() ? List.copyOf(others) : List.of(), mtu);
    }

    /** One all-zero entry per peer: entries of peers that left go, new peers' come. */
    private void followPeers(String device, Set<String> peers) {
        List<String> present = kernel.floodPeers(device);
        for (String p : present) {
            if (!peers.contains(p)) {
                kernel.removeFloodPeer(device, p);
            }
        }
        for (String p : peers) {
            if (!present.contains(p)) {
                kernel.addFloodPeer(device, p);
            }
        }
    }
}
