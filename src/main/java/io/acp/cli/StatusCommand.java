package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import java.time.Duration;
import picocli.CommandLine.Command;

@Command(name = "status", description = "Show the node: id, version, uptime, object count and services.")
class StatusCommand extends ClientCommand {

    @Override
    protected int run(ApiClient api) {
        JsonNode status = api.call("framework", "status", Json.object());
        if (json()) {
            printJson(status);
            return ExitCodes.OK;
        }
        Table t = new Table("NODE", "VERSION", "STARTED", "UPTIME", "OBJECTS");
        t.row(status.path("node").asText(), status.path("version").asText(), EntryText.instant(status.path("startedAt").asText(null)),
                uptime(status.path("uptimeMs").asLong()), status.path("objects").asLong());
        t.print(out());
        out().println();
        ServicesCommand.table(status.path("services"), out());
        return ExitCodes.OK;
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
