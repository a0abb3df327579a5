package io.acp.network;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-memory kernel with bridge VLAN filtering, for what the test machines' kernel cannot do
 * (it lacks CONFIG_BRIDGE_VLAN_FILTERING). Records every change as a line, e.g. "vlan tap0 20 pvid".
 */
final class FakeKernel implements LinkBackend {

    final Map<String, Link> links = new LinkedHashMap<>();
    final List<String> changes = new ArrayList<>();

    void add(String name, String kind, String mac) {
        links.put(name, new Link(name, kind, null, null, null, 0, false, mac, 1500, "UP", true, Counters.ZERO));
    }

    @Override
    public List<Link> links() {
        return List.copyOf(links.values());
    }

    @Override
    public Map<String, Long> speeds(List<String> names) {
        return Map.of();
    }

    @Override
    public void createBridge(String name, String alias, int mtu) {
        changes.add("bridge " + name);
        links.put(name, new Link(name, "bridge", null, alias, null, 0, false, "02:00:00:00:00:01", 1500, "DOWN", false, Counters.ZERO));
    }

    @Override
    public boolean enableVlanFiltering(String bridge) {
        changes.add("filtering " + bridge);
        Link b = links.get(bridge);
        links.put(bridge, new Link(b.name(), b.kind(), b.master(), b.alias(), b.parent(), 0, true, b.mac(), b.mtu(), b.operState(), b.adminUp(), b.counters()));
        return true;
    }

    @Override
    public void createVlan(String name, String parent, int vid, String alias, int mtu) {
        changes.add("vlan-device " + name);
        links.put(name, new Link(name, "vlan", null, alias, parent, vid, false, "02:00:00:00:00:02", 1500, "UP", true, Counters.ZERO));
    }

    @Override
    public void setMaster(String link, String bridge) {
        changes.add("master " + link + " " + bridge);
        master(link, bridge);
    }

    @Override
    public void releaseFromBridge(String link) {
        changes.add("nomaster " + link);
        master(link, null);
    }

    private void master(String link, String bridge) {
        Link l = links.get(link);
        links.put(link, new Link(l.name(), l.kind(), bridge, l.alias(), l.parent(), l.vlanId(), l.vlanFiltering(), l.mac(), l.mtu(), l.operState(), l.adminUp(), l.counters()));
    }

    @Override
    public void setUp(String link) {
        Link l = links.get(link);
        links.put(link, new Link(l.name(), l.kind(), l.master(), l.alias(), l.parent(), l.vlanId(), l.vlanFiltering(), l.mac(), l.mtu(), "UP", true, l.counters()));
    }

    @Override
    public void delete(String link) {
        changes.add("delete " + link);
        links.remove(link);
    }

    @Override
    public void addPortVlan(String port, int vid, boolean untaggedNative) {
        changes.add("vlan " + port + " " + vid + (untaggedNative ? " pvid" : ""));
    }

    @Override
    public java.util.Optional<String> ipv4Address(String link) {
        return java.util.Optional.empty();
    }

    @Override
    public void createVxlan(String name, Vxlan vxlan, String underlay, String local, String alias, int mtu) {
        changes.add("vxlan-device " + name);
        links.put(name, new Link(name, "vxlan", null, alias, underlay, vxlan.vni(), false, "02:00:00:00:00:03", mtu, "UP", true, Counters.ZERO));
    }

    @Override
    public void setMtu(String link, int mtu) {
        changes.add("mtu " + link + " " + mtu);
    }

    @Override
    public List<String> floodPeers(String vxlanDevice) {
        return List.of();
    }

    @Override
    public void addFloodPeer(String vxlanDevice, String peer) {
        changes.add("flood " + vxlanDevice + " " + peer);
    }

    @Override
    public void removeFloodPeer(String vxlanDevice, String peer) {
        changes.add("unflood " + vxlanDevice + " " + peer);
    }
}
