package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code acp alarms [--all]}: raised and acknowledged alarms, or every one kept. */
@Command(name = "alarms", description = "Active alarms (raised or acknowledged), most severe first; --all adds cleared ones.")
class AlarmsCommand extends ClientCommand {

    @Option(names = "--all", description = "Also list cleared alarms (kept for acp.monitor.cleared-retention).")
    boolean all;

    @Override
    protected int run(ApiClient api) {
        return print(api.call("monitor", "alarms", JsonTrees.object().put("all", all)), AlarmsCommand::table);
    }

    static void table(JsonNode alarms, PrintWriter out) {
        if (alarms.isEmpty()) {
            out.println("no alarms");
            return;
        }
        Table t = new Table("ID", "SEVERITY", "STATE", "SUBJECT", "NODE", "FIRST SEEN", "LAST SEEN", "MESSAGE");
        for (JsonNode a : alarms) {
            String state = a.path("state").asText();
            if (a.hasNonNull("ackedBy")) {
                state += " by " + a.get("ackedBy").asText();
            }
            t.row(a.path("id").asText(), a.path("severity").asText(), state, a.path("subject").asText(), a.path("node").asText(null),
                    EntryText.instant(a.path("firstSeen").asText(null)), EntryText.instant(a.path("lastSeen").asText(null)), a.path("message").asText());
        }
        t.print(out);
    }
}
