package io.acp.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code acp network create ID --type vlan --uplink eth0 --vlan 100}, {@code … --type vxlan --uplink eth0 --vni 42}. */
@Command(name = "create", description = "Create a network: a vlan, a trunk or a vpp-vlan on an uplink, or a vxlan overlay on an underlay NIC;"
        + " every node it names realises it.")
class NetworkCreateCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ID", description = "The network's id.")
    String id;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "vlan", description = "vlan (default), trunk, vpp-vlan or vxlan.")
    String type;

    @Option(names = "--uplink", paramLabel = "NIC", description = "The uplink NIC (a VPP interface for vpp-vlan; the underlay NIC with the node's IPv4 address for vxlan).")
    String uplink;

    @Option(names = "--vlan", paramLabel = "VID", description = "The VLAN id 1..4094; repeat for each VLAN of a trunk.")
    List<Integer> vlans;

    @Option(names = "--vni", paramLabel = "VNI", description = "vxlan: the VXLAN network identifier 1..16777215, unique in the cluster.")
    Integer vni;

    @Option(names = "--port", paramLabel = "UDP", description = "vxlan: the UDP port of the tunnel (default 4789).")
    Integer port;

    @Option(names = "--group", paramLabel = "ADDRESS", description = "vxlan: an IPv4 multicast group for broadcast traffic"
            + " (default: replicated to every member node's address, learned from the CDB).")
    String group;

    @Option(names = "--mtu", paramLabel = "BYTES", description = "MTU of the bridge and VLAN device (vxlan: default the underlay's less 50).")
    Integer mtu;

    @Option(names = "--nodes", paramLabel = "NODE", split = ",", description = "Nodes that realise it (default: every node with the network service).")
    List<String> nodes;

    @Option(names = "--spec", paramLabel = "JSON|@FILE", description = "The whole spec: inline JSON, @FILE, or @- for stdin.")
    String specText;

    private ObjectNode built;

    @Override
    protected void validate() {
        built = specText == null ? JsonTrees.object() : Args.spec(specText);
        if (uplink != null) {
            built.put("uplink", uplink);
        }
        if (vlans != null) {
            if (type.equals("trunk")) {
                ArrayNode a = built.putArray("vlans");
                vlans.forEach(a::add);
            } else if (vlans.size() == 1) {
                built.put("vlan", vlans.get(0));
            } else {
                throw new ParameterException(spec.commandLine(), "a " + type + " network has one --vlan; only a trunk takes several");
            }
        }
        if (mtu != null) {
            built.put("mtu", mtu);
        }
        if (vni != null) {
            built.put("vni", vni);
        }
        if (port != null) {
            built.put("port", port);
        }
        if (group != null) {
            built.put("group", group);
        }
        if (nodes != null) {
            ArrayNode a = built.putArray("nodes");
            nodes.forEach(a::add);
        }
        if (!built.has("uplink")) {
            throw new ParameterException(spec.commandLine(), "give --uplink (or a --spec with one)");
        }
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = JsonTrees.object().put("id", id).put("subtype", type);
        args.set("spec", built);
        return print(api.call("network", "create", args), (r, out) -> out.println("created " + r.path("subtype").asText() + " network "
                + r.path("id").asText() + " on " + (r.path("spec").has("vni") ? "underlay " : "uplink ") + r.path("spec").path("uplink").asText()
                + (r.path("spec").has("vni") ? " (VNI " + r.path("spec").path("vni").asText() : " (VLAN " + NetworkCommand.vlans(r.path("spec"))) + ")"));
    }
}
