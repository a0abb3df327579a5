package io.acp.network;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Realises vpp-vlan networks as dot1q sub-interfaces in VPP. VPP has no alias to mark what ACP
 * made, so ACP deletes only sub-interfaces it created itself since the node started; one that
 * existed before is used as it is and never deleted.
 */
final class VppNetworks {

    private final String nodeId;
    private final VppCtl vpp;
    /** Sub-interfaces this node created, by network id. */
    private final Map<String, String> created = new HashMap<>();
    private Map<String, VppCtl.VppInterface> lastSeen = Map.of();

    VppNetworks(String nodeId, VppCtl vpp) {
        this.nodeId = nodeId;
        this.vpp = vpp;
    }

    Map<String, NetworkState> reconcile(List<NetworkSpec> wanted) {
        Map<String, NetworkState> states = new HashMap<>();
        Set<String> wantedIds = new HashSet<>();
        if (wanted.isEmpty() && created.isEmpty()) {
            return states; // no VPP needed: do not even ask for it
        }
        Map<String, VppCtl.VppInterface> ifaces;
        try {
            ifaces = byName(vpp.interfaces());
        } catch (RuntimeException e) {
            wanted.forEach(s -> states.put(s.id(), NetworkState.failed("", "node " + nodeId + ": VPP cannot be reached: " + e.getMessage())));
            return states;
        }
        for (NetworkSpec spec : wanted) {
            wantedIds.add(spec.id());
            try {
                states.put(spec.id(), realise(spec, ifaces));
            } catch (RuntimeException e) {
                states.put(spec.id(), NetworkState.failed("", "node " + nodeId + ": " + e.getMessage()));
            }
        }
        for (var it = created.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!wantedIds.contains(e.getKey())) {
                if (ifaces.containsKey(e.getValue())) {
                    vpp.deleteSubInterface(e.getValue());
                }
                it.remove();
            }
        }
        return states;
    }

    private NetworkState realise(NetworkSpec spec, Map<String, VppCtl.VppInterface> ifaces) {
        if (!ifaces.containsKey(spec.uplink())) {
            return NetworkState.failed("", "VPP on node " + nodeId + " has no interface " + spec.uplink() + "; it has "
                    + String.join(", ", ifaces.keySet().stream().sorted().toList()));
        }
        String sub = VppCtl.subInterface(spec.uplink(), spec.vlan());
        VppCtl.VppInterface s = ifaces.get(sub);
        if (s == null) {
            vpp.createSubInterface(spec.uplink(), spec.vlan());
            created.put(spec.id(), sub);
        }
        if (s == null || !s.up()) {
            vpp.setUp(sub);
        }
        return NetworkState.up("", sub, null);
    }

    /** Counters of each sub-interface, from one {@code show interface}. */
    Map<String, Counters> sample(List<NetworkSpec> wanted) {
        Map<String, Counters> out = new HashMap<>();
        if (wanted.isEmpty()) {
            return out;
        }
        lastSeen = byName(vpp.interfaces());
        for (NetworkSpec spec : wanted) {
            VppCtl.VppInterface i = lastSeen.get(VppCtl.subInterface(spec.uplink(), spec.vlan()));
            if (i != null) {
                out.put(spec.id(), i.toCounters());
            }
        }
        return out;
    }

    private static Map<String, VppCtl.VppInterface> byName(List<VppCtl.VppInterface> list) {
        Map<String, VppCtl.VppInterface> m = new HashMap<>();
        list.forEach(i -> m.put(i.name(), i));
        return m;
    }
}
