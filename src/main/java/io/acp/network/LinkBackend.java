package io.acp.network;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The kernel links of the node's network namespace. Blocking; called on the network thread only.
 * Every change is idempotent on the kernel's side or checked by the caller first.
 */
public interface LinkBackend {

    /** Every link with its counters. */
    List<Link> links();

    /** Link speeds in Mbit/s of the links that report one (physical NICs that are up). */
    Map<String, Long> speeds(List<String> names);

    /** Creates a bridge marked with {@code alias}; {@code mtu} 0 leaves the kernel's default. */
    void createBridge(String name, String alias, int mtu);

    /** Turns VLAN filtering on; false when the kernel cannot filter VLANs on bridges. */
    boolean enableVlanFiltering(String bridge);

    /** Creates VLAN device {@code name} for {@code vid} on {@code parent}, marked with {@code alias}. */
    void createVlan(String name, String parent, int vid, String alias, int mtu);

    void setMaster(String link, String bridge);

    void releaseFromBridge(String link);

    void setUp(String link);

    void delete(String link);

    /** Adds VLAN {@code vid} to bridge port {@code port}: tagged, or as its untagged native VLAN (pvid). */
    void addPortVlan(String port, int vid, boolean untaggedNative);

    /** The first IPv4 address of {@code link}, if it has one. */
    Optional<String> ipv4Address(String link);

    /**
     * Creates VXLAN device {@code name} on {@code underlay} with tunnel endpoint {@code local},
     * marked with {@code alias}, at {@code mtu}.
     */
    void createVxlan(String name, Vxlan vxlan, String underlay, String local, String alias, int mtu);

    void setMtu(String link, int mtu);

    /** The peers a VXLAN device floods broadcast and unknown traffic to: its all-zero forwarding entries. */
    List<String> floodPeers(String vxlanDevice);

    void addFloodPeer(String vxlanDevice, String peer);

    void removeFloodPeer(String vxlanDevice, String peer);
}
