package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code acp network …}: the cluster's networks and this node's ports on them (docs/network.md). */
@Command(name = "network", description = "Create, inspect and delete networks; attach interfaces to them on a node.",
        subcommands = {NetworkCreateCommand.class, NetworkCommand.ListNetworks.class, NetworkCommand.Show.class,
            NetworkCommand.Delete.class, NetworkAttachCommand.Attach.class, NetworkAttachCommand.Detach.class})
class NetworkCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command, e.g. 'acp network list'");
    }

    /** "n1 up, n2 failed": each node's state of a network. */
    static String states(JsonNode network) {
        List<String> states = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = network.path("nodes").properties().iterator(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            states.add(e.getKey() + " " + e.getValue().path("state").asText());
        }
        return states.isEmpty() ? "(no node reports it yet)" : String.join(", ", states);
    }

    /** "100", "10,20", or "vni 42" for a vxlan network. */
    static String vlans(JsonNode spec) {
        if (spec.has("vni")) {
            return "vni " + spec.path("vni").asText();
        }
        return spec.has("vlans") ? JsonTrees.text(spec.path("vlans")).replaceAll("[\\[\\]]", "") : spec.path("vlan").asText();
    }

    /** A network and every node's report of it, for people. */
    static void describe(JsonNode n, PrintWriter out) {
        Table t = new Table("FIELD", "VALUE");
        t.row("id", n.path("id").asText());
        t.row("type", n.path("subtype").asText());
        t.row("uplink", n.path("spec").path("uplink").asText());
        t.row("vlans", vlans(n.path("spec")));
        t.row("nodes", n.path("spec").has("nodes") ? JsonTrees.text(n.path("spec").path("nodes")) : "all");
        t.print(out);
        for (Iterator<Map.Entry<String, JsonNode>> it = n.path("nodes").properties().iterator(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode m = e.getValue();
            out.println();
            out.println("on " + e.getKey() + ": " + m.path("state").asText() + (m.path("bridge").asText().isEmpty() ? "" : ", bridge " + m.path("bridge").asText())
                    + (m.has("uplinkDevice") ? ", via " + m.path("uplinkDevice").asText() : ""));
            if (m.has("problem")) {
                out.println("  problem: " + m.path("problem").asText());
            }
            if (m.has("vtep")) {
                out.println("  tunnel endpoint " + m.path("vtep").asText() + ", MTU " + m.path("mtu").asInt() + ", peers: "
                        + (m.path("peers").isEmpty() ? "none" : JsonTrees.text(m.path("peers")).replaceAll("[\\[\\]\"]", "")));
            }
            out.println("  interfaces: " + (m.path("interfaces").isEmpty() ? "none" : JsonTrees.text(m.path("interfaces")).replaceAll("[\\[\\]\"]", "")));
            JsonNode s = n.path("stats").path(e.getKey());
            if (!s.isMissingNode()) {
                out.println("  rx " + s.path("rxBytes").asLong() + " B / " + s.path("rxPackets").asLong() + " packets, tx " + s.path("txBytes").asLong()
                        + " B / " + s.path("txPackets").asLong() + " packets, errors " + (s.path("rxErrors").asLong() + s.path("txErrors").asLong())
                        + ", drops " + (s.path("rxDrops").asLong() + s.path("txDrops").asLong()));
            }
        }
    }

    @Command(name = "list", description = "Every network, with its state on each node that realises it.")
    static class ListNetworks extends ClientCommand {
        @Override
        protected int run(ApiClient api) {
            return print(api.call("network", "list", JsonTrees.object()), (list, out) -> {
                Table t = new Table("ID", "TYPE", "UPLINK", "VLANS", "STATE");
                for (JsonNode n : list) {
                    t.row(n.path("id").asText(), n.path("subtype").asText(), n.path("spec").path("uplink").asText(), vlans(n.path("spec")), states(n));
                }
                t.print(out);
            });
        }
    }

    /** An operation on one network by id. */
    abstract static class OnNetwork extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ID", description = "The network's id.")
        String id;

        protected ObjectNode args() {
            return JsonTrees.object().put("id", id);
        }
    }

    @Command(name = "show", description = "One network: its spec, and each node's state, bridge, interfaces and counters.")
    static class Show extends OnNetwork {
        @Override
        protected int run(ApiClient api) {
            return print(api.call("network", "show", args()), NetworkCommand::describe);
        }
    }

    @Command(name = "delete", description = "Delete a network; every node removes the links it made for it.")
    static class Delete extends OnNetwork {
        @Override
        protected int run(ApiClient api) {
            return print(api.call("network", "delete", args()), (r, out) -> out.println("deleted network " + r.path("id").asText()));
        }
    }
}
