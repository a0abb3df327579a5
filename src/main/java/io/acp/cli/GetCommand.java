package io.acp.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", description = "Show one object, or list the objects of a type when no ID is given.")
class GetCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "TYPE", description = "node, system, storage, network, service or alarm.")
    String type;

    @Parameters(index = "1", paramLabel = "ID", arity = "0..1", description = "The object's id; omit to list.")
    String id;

    @Option(names = "--subtype", paramLabel = "S", description = "When listing, only objects of this subtype.")
    String subtype;

    @Override
    protected void validate() {
        type = Args.type(type);
    }

    @Override
    protected int run(ApiClient api) {
        if (id != null) {
            return print(api.call("cluster", "get", Args.key(type, id)), EntryText::object);
        }
        ObjectNode args = JsonTrees.object();
        args.put("type", type);
        if (subtype != null) {
            args.put("subtype", subtype);
        }
        return print(api.call("cluster", "list", args), EntryText::objectTable);
    }
}
