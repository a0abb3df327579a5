package io.acp.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.protocol.AcpException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The overlay part of a vxlan network's spec.
 *
 * @param vni   the VXLAN network identifier, 1..16777215, unique in the cluster
 * @param port  the UDP destination port, 4789 (IANA's) unless given
 * @param group an IPv4 multicast group that carries broadcast and unknown traffic, or null: then
 *              each node replicates it to every other member's VTEP address learned from the CDB
 */
public record Vxlan(int vni, int port, String group) {

    public static final int MAX_VNI = (1 << 24) - 1;
    public static final int DEFAULT_PORT = 4789;
    /** Outer IPv4 (20) + UDP (8) + VXLAN (8) + inner Ethernet (14) headers. */
    public static final int OVERHEAD = 50;

    static Vxlan parse(String id, JsonNode spec) {
        JsonNode v = spec.get("vni");
        if (v == null) {
            throw NetworkSpec.bad(id, "a vxlan network needs 'vni': a VXLAN network identifier 1.." + MAX_VNI);
        }
        if (!v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > MAX_VNI) {
            throw NetworkSpec.bad(id, "VNI out of range: " + v + "; a VNI is 1.." + MAX_VNI);
        }
        int port = DEFAULT_PORT;
        if (spec.has("port")) {
            JsonNode p = spec.get("port");
            if (!p.isIntegralNumber() || p.asInt() < 1 || p.asInt() > 65535) {
                throw NetworkSpec.bad(id, "'port' must be a UDP port 1..65535, got " + p);
            }
            port = p.asInt();
        }
        String group = null;
        if (spec.has("group")) {
            group = multicastGroup(id, spec.get("group"));
        }
        return new Vxlan(v.asInt(), port, group);
    }

    private static String multicastGroup(String id, JsonNode g) {
        String text = g.isTextual() ? g.asText() : "";
        if (text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            try {
                InetAddress a = InetAddress.getByName(text); // a literal: no lookup
                if (a instanceof Inet4Address && a.isMulticastAddress()) {
                    return a.getHostAddress();
                }
            } catch (UnknownHostException notAnAddress) {
                // falls through to the error
            }
        }
        throw NetworkSpec.bad(id, "'group' must be an IPv4 multicast address 224.0.0.0..239.255.255.255, got " + g);
    }

    /** Head-end replication to peers learned from the CDB, rather than a multicast group. */
    public boolean unicast() {
        return group == null;
    }

    void putInto(ObjectNode j) {
        j.put("vni", vni);
        if (port != DEFAULT_PORT) {
            j.put("port", port);
        }
        if (group != null) {
            j.put("group", group);
        }
    }

    static AcpException duplicate(String id, int vni, String other) {
        return new AcpException(io.acp.protocol.ErrorCode.CONFLICT, "network " + id + ": duplicate VNI " + vni
                + ": network " + other + " already uses it; a VNI identifies one overlay in the cluster");
    }
}
