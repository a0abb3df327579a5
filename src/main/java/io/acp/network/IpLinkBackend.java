package io.acp.network;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The kernel through iproute2: {@code ip -j} to read, {@code ip link} and {@code bridge vlan} to change. */
public final class IpLinkBackend implements LinkBackend {

    private final Commands commands;

    public IpLinkBackend(Commands commands) {
        this.commands = commands;
    }

    @Override
    public List<Link> links() {
        String out = commands.ip("-s", "-d", "-j", "link", "show");
        List<Link> links = new ArrayList<>();
        try {
            for (JsonNode j : Json.MAPPER.readTree(out)) {
                links.add(Link.parse(j));
            }
        } catch (IOException e) {
            throw new IllegalStateException("ip -j link show printed no JSON: " + e.getMessage(), e);
        }
        return links;
    }

    @Override
    public Map<String, Long> speeds(List<String> names) {
        Map<String, Long> speeds = new HashMap<>();
        if (names.isEmpty()) {
            return speeds;
        }
        if (commands.namespace().isEmpty()) {
            for (String name : names) {
                try {
                    speeds.put(name, Long.parseLong(Files.readString(Path.of("/sys/class/net", name, "speed")).strip()));
                } catch (IOException | NumberFormatException noSpeed) {
                    // virtual links and links that are down have no speed
                }
            }
            return speeds;
        }
        // /sys shows the namespace's links only when mounted inside it: one "ip netns exec" for all.
        List<String> argv = new ArrayList<>(List.of("sh", "-c", "for n in \"$@\"; do echo \"$n $(cat /sys/class/net/$n/speed 2>/dev/null)\"; done", "sh"));
        argv.addAll(names);
        for (String line : commands.exec(argv).split("\n")) {
            String[] f = line.strip().split(" ");
            if (f.length == 2) {
                try {
                    speeds.put(f[0], Long.parseLong(f[1]));
                } catch (NumberFormatException noSpeed) {
                    // "-1" or nothing
                }
            }
        }
        return speeds;
    }

    @Override
    public void createBridge(String name, String alias, int mtu) {
        commands.ip("link", "add", "name", name, "type", "bridge");
        commands.ip("link", "set", "dev", name, "alias", alias);
        if (mtu > 0) {
            commands.ip("link", "set", "dev", name, "mtu", Integer.toString(mtu));
        }
    }

    @Override
    public boolean enableVlanFiltering(String bridge) {
        try {
            commands.ip("link", "set", "dev", bridge, "type", "bridge", "vlan_filtering", "1");
            return true;
        } catch (Commands.CommandFailure f) {
            if (f.detail().contains("Operation not supported")) {
                return false; // kernel without CONFIG_BRIDGE_VLAN_FILTERING
            }
            throw f;
        }
    }

    @Override
    public void createVlan(String name, String parent, int vid, String alias, int mtu) {
        try {
            commands.ip("link", "add", "link", parent, "name", name, "type", "vlan", "id", Integer.toString(vid));
        } catch (Commands.CommandFailure f) {
            if (f.detail().contains("Unknown device type")) {
                throw new IllegalStateException("the kernel has no 802.1Q VLAN support (CONFIG_VLAN_8021Q): cannot create "
                        + name + " on " + parent, f);
            }
            throw f;
        }
        commands.ip("link", "set", "dev", name, "alias", alias);
        if (mtu > 0) {
            commands.ip("link", "set", "dev", name, "mtu", Integer.toString(mtu));
        }
    }

    @Override
    public void setMaster(String link, String bridge) {
        commands.ip("link", "set", "dev", link, "master", bridge);
    }

    @Override
    public void releaseFromBridge(String link) {
        commands.ip("link", "set", "dev", link, "nomaster");
    }

    @Override
    public void setUp(String link) {
        commands.ip("link", "set", "dev", link, "up");
    }

    @Override
    public void delete(String link) {
        commands.ip("link", "del", "dev", link);
    }

    @Override
    public void addPortVlan(String port, int vid, boolean untaggedNative) {
        if (untaggedNative) {
            commands.bridge("vlan", "add", "dev", port, "vid", Integer.toString(vid), "pvid", "untagged");
        } else {
            commands.bridge("vlan", "add", "dev", port, "vid", Integer.toString(vid));
        }
    }

    @Override
    public Optional<String> ipv4Address(String link) {
        try {
            for (JsonNode l : Json.MAPPER.readTree(commands.ip("-j", "-4", "addr", "show", "dev", link))) {
                for (JsonNode a : l.path("addr_info")) {
                    if (a.path("family").asText().equals("inet") && !a.path("local").asText().isEmpty()) {
                        return Optional.of(a.path("local").asText());
                    }
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("ip -j addr show printed no JSON: " + e.getMessage(), e);
        }
    }

    @Override
    public void createVxlan(String name, Vxlan vxlan, String underlay, String local, String alias, int mtu) {
        List<String> args = new ArrayList<>(List.of("link", "add", "name", name, "type", "vxlan", "id", Integer.toString(vxlan.vni()),
                "dstport", Integer.toString(vxlan.port()), "local", local, "dev", underlay));
        if (vxlan.group() != null) {
            args.addAll(List.of("group", vxlan.group()));
        }
        commands.ip(args.toArray(String[]::new));
        commands.ip("link", "set", "dev", name, "alias", alias);
        setMtu(name, mtu);
    }

    @Override
    public void setMtu(String link, int mtu) {
        commands.ip("link", "set", "dev", link, "mtu", Integer.toString(mtu));
    }

    @Override
    public List<String> floodPeers(String vxlanDevice) {
        List<String> peers = new ArrayList<>();
        try {
            for (JsonNode e : Json.MAPPER.readTree(commands.bridge("-j", "fdb", "show", "dev", vxlanDevice))) {
                if (e.path("mac").asText().equals(FLOOD_MAC) && e.hasNonNull("dst")) {
                    peers.add(e.path("dst").asText());
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("bridge -j fdb show printed no JSON: " + e.getMessage(), e);
        }
        return peers;
    }

    @Override
    public void addFloodPeer(String vxlanDevice, String peer) {
        commands.bridge("fdb", "append", FLOOD_MAC, "dev", vxlanDevice, "dst", peer);
    }

    @Override
    public void removeFloodPeer(String vxlanDevice, String peer) {
        commands.bridge("fdb", "del", FLOOD_MAC, "dev", vxlanDevice, "dst", peer);
    }

    /** The forwarding entry for broadcast and unknown destinations of a VXLAN device. */
    private static final String FLOOD_MAC = "00:00:00:00:00:00";
}
