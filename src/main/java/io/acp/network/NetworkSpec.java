package io.acp.network;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.protocol.AcpException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The spec of a {@code network/<id>} object (see docs/network.md):
 * <pre>
 * vlan:     {"uplink": "eth0", "vlan": 100, "mtu": 1500, "nodes": ["n1", "n2"]}
 * trunk:    {"uplink": "eth1", "vlans": [10, 20], "mtu": 9000}
 * vpp-vlan: {"uplink": "GigabitEthernet0/8/0", "vlan": 100}
 * vxlan:    {"uplink": "eth0", "vni": 42, "port": 4789, "group": "239.1.1.42", "mtu": 1450}
 * </pre>
 * {@code nodes} absent: every node that runs the network service realises the network.
 *
 * @param vlans the one VLAN of vlan and vpp-vlan networks, the carried VLANs of a trunk
 * @param mtu   0: the kernel's default
 * @param nodes empty: every node
 * @param vxlan the overlay of a vxlan network (the uplink is its underlay); null for other kinds
 */
public record NetworkSpec(String id, Kind kind, String uplink, List<Integer> vlans, int mtu, List<String> nodes, Vxlan vxlan) {

    public enum Kind {
        VLAN("vlan"), TRUNK("trunk"), VPP_VLAN("vpp-vlan"), VXLAN("vxlan");

        public final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        static Kind parse(String id, String subtype) {
            for (Kind k : values()) {
                if (k.wireName.equals(subtype)) {
                    return k;
                }
            }
            throw AcpException.badRequest("network " + id + ": subtype must be one of vlan, trunk, vpp-vlan, vxlan, got '" + subtype + "'");
        }
    }

    private static final Set<String> FIELDS = Set.of("uplink", "vlan", "vlans", "mtu", "nodes", "vni", "port", "group");
    private static final Set<String> VXLAN_ONLY = Set.of("vni", "port", "group");

    public static NetworkSpec parse(String id, String subtype, JsonNode spec) {
        Kind kind = Kind.parse(id, subtype);
        if (spec == null || !spec.isObject()) {
            throw bad(id, "spec must be a JSON object");
        }
        for (Iterator<String> it = spec.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw bad(id, "unknown field '" + f + "'; a network spec has " + String.join(", ", new TreeSet<>(FIELDS)));
            }
            if (kind != Kind.VXLAN && VXLAN_ONLY.contains(f)) {
                throw bad(id, "'" + f + "' belongs to vxlan networks, not to a " + kind.wireName + " network");
            }
        }
        String uplink = uplink(id, kind, spec.get("uplink"));
        List<Integer> vlans = new ArrayList<>();
        Vxlan vxlan = null;
        if (kind == Kind.VXLAN) {
            if (spec.has("vlan") || spec.has("vlans")) {
                throw bad(id, "a vxlan network is identified by its 'vni', not by VLANs");
            }
            vxlan = Vxlan.parse(id, spec);
        } else if (kind == Kind.TRUNK) {
            if (spec.has("vlan")) {
                throw bad(id, "a trunk carries 'vlans' (a list), not 'vlan'");
            }
            JsonNode list = spec.get("vlans");
            if (list == null || !list.isArray() || list.isEmpty()) {
                throw bad(id, "a trunk needs 'vlans': a non-empty list of VLAN ids 1..4094");
            }
            for (JsonNode v : list) {
                int vid = vlanId(id, v);
                if (vlans.contains(vid)) {
                    throw bad(id, "VLAN " + vid + " is listed twice in 'vlans'");
                }
                vlans.add(vid);
            }
        } else {
            if (spec.has("vlans")) {
                throw bad(id, "a " + kind.wireName + " network has one 'vlan', not 'vlans'");
            }
            if (!spec.has("vlan")) {
                throw bad(id, "a " + kind.wireName + " network needs 'vlan': a VLAN id 1..4094");
            }
            vlans.add(vlanId(id, spec.get("vlan")));
        }
        int mtu = 0;
        if (spec.has("mtu")) {
            JsonNode m = spec.get("mtu");
            if (!m.isIntegralNumber() || m.asInt() < 68 || m.asInt() > 65535) {
                throw bad(id, "'mtu' must be an integer 68..65535, got " + m);
            }
            mtu = m.asInt();
        }
        List<String> nodes = new ArrayList<>();
        if (spec.has("nodes")) {
            JsonNode n = spec.get("nodes");
            if (!n.isArray() || n.isEmpty()) {
                throw bad(id, "'nodes' must be a non-empty list of node ids (omit it for every node)");
            }
            for (JsonNode node : n) {
                if (!node.isTextual() || node.asText().isEmpty()) {
                    throw bad(id, "'nodes' must list node ids as strings, got " + node);
                }
                nodes.add(node.asText());
            }
        }
        return new NetworkSpec(id, kind, uplink, List.copyOf(vlans), mtu, List.copyOf(nodes), vxlan);
    }

    private static String uplink(String id, Kind kind, JsonNode n) {
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw bad(id, "needs 'uplink': the name of the node's " + switch (kind) {
                case VPP_VLAN -> "VPP interface";
                case VXLAN -> "underlay NIC, the one that carries the overlay's UDP packets";
                default -> "uplink NIC";
            });
        }
        String name = n.asText();
        boolean ok = kind == Kind.VPP_VLAN
                ? name.length() <= 64 && name.matches("[A-Za-z0-9_./:-]+")
                : name.length() <= LinkNames.MAX_NAME && name.matches("[A-Za-z0-9_.:@-]+");
        if (!ok) {
            throw bad(id, "'uplink' '" + name + "' is not a valid " + (kind == Kind.VPP_VLAN ? "VPP interface name" : "link name (1..15 characters, no / or spaces)"));
        }
        return name;
    }

    private static int vlanId(String id, JsonNode v) {
        if (v == null || !v.isIntegralNumber() || v.asLong() < 1 || v.asLong() > 4094) {
            throw bad(id, "invalid VLAN id " + v + ": VLAN ids are 1..4094");
        }
        return v.asInt();
    }

    static AcpException bad(String id, String message) {
        return AcpException.badRequest("network " + id + ": " + message);
    }

    /** The VLAN of a vlan or vpp-vlan network. */
    public int vlan() {
        return vlans.get(0);
    }

    public boolean realisedOn(String node) {
        return nodes.isEmpty() || nodes.contains(node);
    }

    public ObjectNode toJson() {
        ObjectNode j = Json.object().put("uplink", uplink);
        if (kind == Kind.VXLAN) {
            vxlan.putInto(j);
        } else if (kind == Kind.TRUNK) {
            ArrayNode a = j.putArray("vlans");
            vlans.forEach(a::add);
        } else {
            j.put("vlan", vlan());
        }
        if (mtu > 0) {
            j.put("mtu", mtu);
        }
        if (!nodes.isEmpty()) {
            ArrayNode a = j.putArray("nodes");
            nodes.forEach(a::add);
        }
        return j;
    }
}
