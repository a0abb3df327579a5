package io.acp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code acp network attach|detach ID INTERFACE}: a tap or veth of the node becomes, or stops
 * being, a port of the network's bridge. (Attach and detach are leaf classes of an abstract base:
 * a command class that is also another's superclass would be an ambiguous CDI bean.)
 */
abstract class NetworkAttachCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "ID", description = "The network's id.")
    String id;

    @Parameters(index = "1", paramLabel = "INTERFACE", description = "The interface, in the node's network namespace.")
    String iface;

    protected abstract String op();

    protected ObjectNode args() {
        return JsonTrees.object().put("id", id).put("interface", iface);
    }

    @Override
    protected int run(ApiClient api) {
        boolean attach = op().equals("attach");
        return print(api.call("network", op(), args()), (m, out) -> out.println((attach ? "attached " : "detached ") + iface
                + (attach ? " to " : " from ") + "network " + id + " (bridge " + m.path("bridge").asText() + ", ports: "
                + JsonTrees.text(m.path("interfaces")).replaceAll("[\\[\\]\"]", "") + ")"));
    }

    @Command(name = "attach", description = "Make an interface of the node (a tap, a veth) a port of the network's bridge there.")
    static class Attach extends NetworkAttachCommand {

        @Option(names = "--vlan", paramLabel = "VID", description = "On a trunk: the port's untagged VLAN (default: every trunk VLAN, tagged).")
        Integer vlan;

        @Override
        protected String op() {
            return "attach";
        }

        @Override
        protected ObjectNode args() {
            ObjectNode args = super.args();
            if (vlan != null) {
                args.put("vlan", vlan);
            }
            return args;
        }
    }

    @Command(name = "detach", description = "Take an interface off the network's bridge on the node.")
    static class Detach extends NetworkAttachCommand {
        @Override
        protected String op() {
            return "detach";
        }
    }
}
