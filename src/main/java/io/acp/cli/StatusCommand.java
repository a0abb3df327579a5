package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;

@Command(name = "status", description = "Show the node: id, version, uptime, object count, CDB readiness (syncing or ready), whether new systems may be placed on it, and services.")
class StatusCommand extends ClientCommand {

    @Override
    protected int run(ApiClient api) {
        return print(api.call("framework", "status", JsonTrees.object()), StatusCommand::human);
    }

    private static void human(JsonNode status, PrintWriter out) {
        Table t = new Table("NODE", "VERSION", "STARTED", "UPTIME", "OBJECTS", "CDB", "SCHEDULABLE");
        JsonNode schedulable = status.path("schedulable");
        t.row(status.path("node").asText(), status.path("version").asText(), EntryText.instant(status.path("startedAt").asText(null)),
                uptime(status.path("uptimeMs").asLong()), status.path("objects").asLong(), status.path("readiness").asText("-"),
                // "no" after `acp node evacuate` until `acp node resume`; "-" from a node that does not say
                schedulable.isBoolean() ? (schedulable.asBoolean() ? "yes" : "no (acp node resume)") : "-");
        t.print(out);
        out.println();
        ServicesCommand.table(status.path("services"), out);
    }

    static String uptime(long millis) {
        Duration d = Duration.ofMillis(millis);
        if (d.toDays() > 0) {
            return d.toDays() + "d" + d.toHoursPart() + "h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h" + d.toMinutesPart() + "m";
        }
        if (d.toMinutes() > 0) {
            return d.toMinutes() + "m" + d.toSecondsPart() + "s";
        }
        return d.toSeconds() + "s";
    }
}
