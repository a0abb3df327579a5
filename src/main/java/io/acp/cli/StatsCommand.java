package io.acp.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "stats", description = "Show an object's latest stats per node, or one node's recent samples with --history.")
class StatsCommand extends ClientCommand {

    @Mixin
    ObjectRef object;

    @Option(names = "--node", paramLabel = "N", description = "Only the stats reported by node N.")
    String node;

    @Option(names = "--history", description = "The recent samples (oldest first) instead of the latest; needs --node.")
    boolean history;

    @Override
    protected void validate() {
        object.args();
        if (history && node == null) {
            throw new ParameterException(spec.commandLine(), "--history needs --node N: history is kept per reporting node");
        }
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = object.args();
        if (node != null) {
            args.put("node", node);
        }
        if (history) {
            args.put("history", true);
        }
        // The node answers one entry or an array; both print as a table.
        return print(api.call("cluster", "stats", args),
                (result, out) -> EntryText.statsTable(result.isArray() ? result : JsonNodeFactory.instance.arrayNode().add(result), out));
    }
}
