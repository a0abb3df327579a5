package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "delete", description = "Delete an object (it stays as a tombstone until collected).")
class DeleteCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "TYPE")
    String type;

    @Parameters(index = "1", paramLabel = "ID")
    String id;

    @Override
    protected void validate() {
        type = Args.type(type);
    }

    @Override
    protected int run(ApiClient api) {
        JsonNode tombstone = api.call("cluster", "delete", Args.key(type, id));
        if (json()) {
            printJson(tombstone);
        } else {
            out().println("deleted " + EntryText.name(tombstone) + " version " + tombstone.path("version").asText());
            out().flush();
        }
        return ExitCodes.OK;
    }
}
