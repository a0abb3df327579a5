package io.acp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "meta", description = {
    "Show an object's meta (observed state), one block per reporting node.",
    "--node N sends the request to node N, as the global 'acp --node N' does; --from N shows only node N's reports."})
class MetaCommand extends ClientCommand {

    @Mixin
    ObjectRef object;

    @Option(names = "--node", paramLabel = "N", description = "Send the request to node N (the same as 'acp --node N meta …').")
    String node;

    @Option(names = "--from", paramLabel = "N", description = "Only the meta reported by node N.")
    String from;

    @Override
    protected void validate() {
        object.args();
    }

    @Override
    protected String target(String globalNode) {
        return node != null ? node : globalNode;
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = object.args();
        if (from != null) {
            args.put("node", from);
        }
        return print(ReportLookup.requireKnown(api, object.args(), api.call("cluster", "meta", args), "meta"), EntryText::metaTable);
    }
}
