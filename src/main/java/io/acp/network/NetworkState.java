package io.acp.network;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import java.util.List;

/**
 * What one node says of one network: its meta in the CDB (docs/network.md, "Meta and stats").
 *
 * @param state       "up", "down" (realised but a device is missing or down), "failed" (cannot be
 *                    realised: see problem) or "absent" (no longer realised on this node)
 * @param bridge      the Linux bridge systems attach to; empty for vpp-vlan
 * @param uplinkDevice the device carrying the network to the uplink: the VLAN device, the trunk's
 *                    uplink, or the VPP sub-interface
 * @param interfaces  the bridge's other ports (taps of systems, attached interfaces)
 * @param vlanFiltering trunks only: null for other kinds
 * @param overlay     vxlan networks only: this node's tunnel endpoint, its peers and the MTU; else null
 */
public record NetworkState(String state, String bridge, String uplinkDevice, List<String> interfaces, Boolean vlanFiltering,
        String problem, Overlay overlay) {

    /**
     * This node's end of a vxlan network.
     *
     * @param vtep  this node's tunnel endpoint: the underlay's IPv4 address, which other nodes learn from the CDB
     * @param peers the other members' endpoints that broadcast and unknown traffic is replicated to
     *              (empty with a multicast group)
     * @param mtu   the MTU of the VXLAN device and the bridge
     */
    public record Overlay(String vtep, List<String> peers, int mtu) {
    }

    static NetworkState up(String bridge, String uplinkDevice, Boolean vlanFiltering) {
        return new NetworkState("up", bridge, uplinkDevice, List.of(), vlanFiltering, null, null);
    }

    static NetworkState upOverlay(String bridge, String device, Overlay overlay) {
        return new NetworkState("up", bridge, device, List.of(), null, null, overlay);
    }

    static NetworkState failed(String bridge, String problem) {
        return new NetworkState("failed", bridge, null, List.of(), null, problem, null);
    }

    static NetworkState absent() {
        return new NetworkState("absent", "", null, List.of(), null, null, null);
    }

    public boolean isUp() {
        return state.equals("up");
    }

    NetworkState withInterfaces(List<String> ports) {
        return new NetworkState(state, bridge, uplinkDevice, List.copyOf(ports), vlanFiltering, problem, overlay);
    }

    NetworkState down(String why) {
        return new NetworkState("down", bridge, uplinkDevice, interfaces, vlanFiltering, why, overlay);
    }

    public ObjectNode toJson() {
        ObjectNode j = Json.object().put("state", state).put("bridge", bridge == null ? "" : bridge);
        if (uplinkDevice != null) {
            j.put("uplinkDevice", uplinkDevice);
        }
        ArrayNode ports = j.putArray("interfaces");
        interfaces.forEach(ports::add);
        if (vlanFiltering != null) {
            j.put("vlanFiltering", vlanFiltering);
        }
        if (problem != null) {
            j.put("problem", problem);
        }
        if (overlay != null) {
            j.put("vtep", overlay.vtep());
            ArrayNode peers = j.putArray("peers");
            overlay.peers().forEach(peers::add);
            j.put("mtu", overlay.mtu());
        }
        return j;
    }
}
