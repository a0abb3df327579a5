package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code acp health}: the cluster's health score as the primary monitor computed it. */
@Command(name = "health", description = "The cluster's health score (0-100), per node, and the rule hits that cost points.")
class HealthCommand extends ClientCommand {

    @Override
    protected int run(ApiClient api) {
        return print(api.call("monitor", "health", JsonTrees.object()), HealthCommand::report);
    }

    static void report(JsonNode h, PrintWriter out) {
        out.println("cluster health " + h.path("score").asInt() + "/100 (primary monitor " + h.path("primary").asText()
                + ", term " + h.path("term").asLong() + ", at " + EntryText.instant(h.path("at").asText(null)) + ")");
        Table nodes = new Table("NODE", "HEALTH");
        for (Iterator<Map.Entry<String, JsonNode>> it = h.path("nodes").properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> n = it.next();
            nodes.row(n.getKey(), n.getValue().asInt());
        }
        nodes.print(out);
        if (h.path("hits").isEmpty()) {
            out.println("no rule hits");
            return;
        }
        out.println();
        Table hits = new Table("RULE", "POINTS", "SEVERITY", "SUBJECT", "NODE", "MESSAGE");
        for (JsonNode hit : h.path("hits")) {
            hits.row(hit.path("rule").asText(), "-" + hit.path("points").asInt(), hit.path("severity").asText(), hit.path("subject").asText(),
                    hit.path("node").asText(null), hit.path("message").asText());
        }
        hits.print(out);
    }
}
