package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import java.io.PrintWriter;
import picocli.CommandLine.Command;

@Command(name = "services", description = "List the node's services with state, health and restarts.")
class ServicesCommand extends ClientCommand {

    @Override
    protected int run(ApiClient api) {
        return print(api.call("framework", "services", JsonTrees.object()), ServicesCommand::table);
    }

    static void table(JsonNode services, PrintWriter out) {
        Table t = new Table("NAME", "STATE", "HEALTH", "SINCE", "RESTARTS");
        StringBuilder errors = new StringBuilder();
        for (JsonNode s : services) {
            String health = s.path("healthy").asBoolean(false) ? "ok" : "unhealthy: " + s.path("detail").asText("?");
            t.row(s.path("name").asText(), s.path("state").asText(), health, EntryText.instant(s.path("since").asText(null)), s.path("restarts").asInt());
            if (s.hasNonNull("lastError")) {
                errors.append(s.path("name").asText()).append(": last error: ").append(s.get("lastError").asText()).append('\n');
            }
        }
        t.print(out);
        out.print(errors);
        out.flush();
    }
}
