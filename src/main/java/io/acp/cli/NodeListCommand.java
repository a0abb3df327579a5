package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

/** {@code acp node list}: the cluster's nodes with whether they take systems and their evacuation. */
@Command(name = "list", description = "List the cluster's nodes: hostname, version, schedulable (no after 'acp node evacuate'), evacuation state.")
class NodeListCommand extends ClientCommand {

    @Override
    protected int run(ApiClient api) {
        return print(api.call("cluster", "list", JsonTrees.object().put("type", "node")), NodeListCommand::table);
    }

    static void table(JsonNode nodes, PrintWriter out) {
        Table t = new Table("NODE", "HOSTNAME", "VERSION", "SCHEDULABLE", "EVACUATION");
        for (JsonNode n : nodes) {
            JsonNode spec = n.path("spec");
            JsonNode mark = spec.path("unschedulable");
            JsonNode evacuation = spec.path("evacuation");
            String left = evacuation.isObject() ? left(evacuation) : "";
            t.row(n.path("id").asText(), spec.path("hostname").asText("-"), spec.path("version").asText("-"),
                    mark.isObject() ? "no (since " + EntryText.instant(mark.path("since").asText(null)) + ", by " + mark.path("by").asText("?") + ")" : "yes",
                    evacuation.isObject() ? evacuation.path("state").asText() + left : "-");
        }
        t.print(out);
        out.flush();
    }

    private static String left(JsonNode evacuation) {
        StringBuilder s = new StringBuilder();
        evacuation.path("systems").fields().forEachRemaining(f -> {
            if (f.getValue().path("state").asText().equals("left")) {
                s.append(s.length() == 0 ? " (left: " : ", ").append(f.getKey()).append(" rule ").append(f.getValue().path("rule").asText());
            }
        });
        return s.length() == 0 ? "" : s.append(')').toString();
    }
}
