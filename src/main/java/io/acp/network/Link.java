package io.acp.network;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One kernel link as {@code ip -s -d -j link show} describes it.
 *
 * @param kind      the link kind ("bridge", "vlan", "veth", "tun"...), empty for physical NICs
 * @param master    the bridge it is a port of, or null
 * @param alias     the ifalias, or null; ACP marks what it creates with {@link LinkNames#alias}
 * @param parent    the link a vlan device sits on, or null
 * @param vlanId    the VLAN id of a vlan device, else 0
 * @param vlanFiltering for a bridge: whether it filters VLANs
 * @param tunnel    for a vxlan device: what it was made with ({@link VxlanTunnel#describe}), else null
 */
public record Link(String name, String kind, String master, String alias, String parent, int vlanId, boolean vlanFiltering,
        String mac, int mtu, String operState, boolean adminUp, Counters counters, String tunnel) {

    /** A link that is not a tunnel. */
    public Link(String name, String kind, String master, String alias, String parent, int vlanId, boolean vlanFiltering,
            String mac, int mtu, String operState, boolean adminUp, Counters counters) {
        this(name, kind, master, alias, parent, vlanId, vlanFiltering, mac, mtu, operState, adminUp, counters, null);
    }

    /** Whether node {@code nodeId} created this link for network {@code networkId} (see {@link LinkNames}). */
    public boolean ownedBy(String networkId, String nodeId) {
        return networkId.equals(LinkNames.networkOf(alias)) && LinkNames.ownedByNode(alias, nodeId);
    }

    /**
     * Why this link, standing where node {@code nodeId} wants one for network {@code networkId}, is
     * not that node's to use: made by another ACP node, or not by ACP at all.
     */
    public String notOwnedReason(String networkId, String nodeId) {
        String owner = LinkNames.ownerOf(alias);
        return owner != null && !owner.equals(nodeId)
                ? "was created by ACP node " + owner + " (alias '" + alias + "'), not by node " + nodeId + "; two nodes share this network namespace"
                : "was not created by ACP for network " + networkId + " (alias '" + alias + "')";
    }

    public boolean createdByAcp() {
        return alias != null && alias.startsWith(LinkNames.ALIAS_PREFIX);
    }

    /** Carrier up: an up bridge without up ports is not. */
    public boolean up() {
        return "UP".equals(operState) || "UNKNOWN".equals(operState);
    }

    /** A physical NIC: no link kind and not the loopback. */
    public boolean nic() {
        return kind.isEmpty() && !name.equals("lo");
    }

    /** Reads one element of {@code ip -s -d -j link show}'s array. */
    static Link parse(JsonNode j) {
        JsonNode info = j.path("linkinfo");
        JsonNode data = info.path("info_data");
        String kind = info.path("info_kind").asText("");
        return new Link(j.path("ifname").asText(), kind, text(j, "master"), text(j, "ifalias"), text(j, "link"),
                kind.equals("vlan") ? data.path("id").asInt(0) : 0,
                kind.equals("bridge") && data.path("vlan_filtering").asInt(0) == 1,
                j.path("address").asText(""), j.path("mtu").asInt(0), j.path("operstate").asText("UNKNOWN"),
                flags(j).contains("UP"), Counters.parse(j.path("stats64")),
                kind.equals("vxlan") ? VxlanTunnel.describe(data.path("id").asInt(), data.path("port").asInt(),
                        data.path("local").asText(""), data.path("group").asText(""), data.path("link").asText("")) : null);
    }

    private static java.util.List<String> flags(JsonNode j) {
        java.util.List<String> flags = new java.util.ArrayList<>();
        j.path("flags").forEach(f -> flags.add(f.asText()));
        return flags;
    }

    private static String text(JsonNode j, String field) {
        JsonNode n = j.get(field);
        return n == null || n.isNull() || n.asText().isEmpty() ? null : n.asText();
    }
}
