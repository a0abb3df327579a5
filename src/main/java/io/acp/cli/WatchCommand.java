package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.api.client.WatchStream;
import io.acp.model.JsonTrees;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "watch", description = "Print one line per change of objects, meta or stats until Ctrl-C or the node stops.")
class WatchCommand extends ClientCommand {

    private static final Set<String> KINDS = Set.of("object", "meta", "stats");

    @Parameters(index = "0", paramLabel = "TYPE", arity = "0..1", description = "Only objects of this type.")
    String type;

    @Option(names = "--id", paramLabel = "ID", description = "Only the object with this id.")
    String id;

    @Option(names = "--node", paramLabel = "N", description = "Only meta and stats reported by node N.")
    String node;

    @Option(names = "--kinds", paramLabel = "K", split = ",", description = "Which kinds: object,meta,stats (default: all).")
    List<String> kinds;

    @Override
    protected void validate() {
        if (type != null) {
            type = Args.type(type);
        }
        if (kinds != null) {
            for (String k : kinds) {
                if (!KINDS.contains(k)) {
                    throw new ParameterException(spec.commandLine(), "--kinds: unknown kind '" + k + "'; expected object, meta or stats");
                }
            }
        }
    }

    @Override
    protected int run(ApiClient api) {
        String target = api.target();
        if (target == null || target.equals(api.call(null, "api", "ping", null).path("node").asText())) {
            return watch(api);
        }
        // Streams are not routed through the local node: watch on the target's own agent.
        try (ApiClient remote = connector.openAgentOf(target, api, client)) {
            return watch(remote);
        }
    }

    private int watch(ApiClient api) {
        try (WatchStream stream = api.openWatch(null, args())) {
            for (JsonNode event = stream.next(); event != null; event = stream.next()) {
                if (json()) {
                    printJson(event);
                } else {
                    out().println(EntryText.watchLine(event));
                    out().flush();
                }
            }
        }
        return ExitCodes.OK;
    }

    private ObjectNode args() {
        ObjectNode args = JsonTrees.object();
        if (type != null) {
            args.put("type", type);
        }
        if (id != null) {
            args.put("id", id);
        }
        if (node != null) {
            args.put("node", node);
        }
        if (kinds != null) {
            ArrayNode list = args.putArray("kinds");
            kinds.forEach(list::add);
        }
        return args;
    }
}
