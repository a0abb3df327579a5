package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "stats", description = "Show an object's latest stats per node, or one node's recent samples with --history.")
class StatsCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "TYPE")
    String type;

    @Parameters(index = "1", paramLabel = "ID")
    String id;

    @Option(names = "--node", paramLabel = "N", description = "Only the stats reported by node N.")
    String node;

    @Option(names = "--history", description = "The recent samples (oldest first) instead of the latest; needs --node.")
    boolean history;

    @Override
    protected void validate() {
        type = Args.type(type);
        if (history && node == null) {
            throw new ParameterException(spec.commandLine(), "--history needs --node N: history is kept per reporting node");
        }
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = Args.key(type, id);
        if (node != null) {
            args.put("node", node);
        }
        if (history) {
            args.put("history", true);
        }
        JsonNode result = api.call("cluster", "stats", args);
        if (json()) {
            printJson(result);
        } else {
            // The node answers one entry or an array; show both the same way.
            EntryText.statsTable(result.isArray() ? result : JsonNodeFactory.instance.arrayNode().add(result), out());
        }
        return ExitCodes.OK;
    }
}
