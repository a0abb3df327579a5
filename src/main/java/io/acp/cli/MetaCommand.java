package io.acp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "meta", description = "Show an object's meta (observed state), one entry per reporting node.")
class MetaCommand extends ClientCommand {

    @Mixin
    ObjectRef object;

    @Option(names = "--node", paramLabel = "N", description = "Only the meta reported by node N.")
    String node;

    @Override
    protected void validate() {
        object.args();
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = object.args();
        if (node != null) {
            args.put("node", node);
        }
        return print(api.call("cluster", "meta", args), EntryText::metaTable);
    }
}
