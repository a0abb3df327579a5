package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "meta", description = "Show an object's meta (observed state), one entry per reporting node.")
class MetaCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "TYPE")
    String type;

    @Parameters(index = "1", paramLabel = "ID")
    String id;

    @Option(names = "--node", paramLabel = "N", description = "Only the meta reported by node N.")
    String node;

    @Override
    protected void validate() {
        type = Args.type(type);
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = Args.key(type, id);
        if (node != null) {
            args.put("node", node);
        }
        JsonNode entries = api.call("cluster", "meta", args);
        if (json()) {
            printJson(entries);
        } else {
            EntryText.metaTable(entries, out());
        }
        return ExitCodes.OK;
    }
}
