package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.cluster.history.HistoryRange;
import io.acp.protocol.AcpException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "stats", description = {
    "Show an object's latest stats per reporting node, or with --history what one node kept of its own reports.",
    "--node N sends the request to node N, as the global 'acp --node N' does; --from N shows only node N's reports."})
class StatsCommand extends ClientCommand {

    @Mixin
    ObjectRef object;

    @Option(names = "--node", paramLabel = "N", description = "Send the request to node N (the same as 'acp --node N stats …').")
    String node;

    @Option(names = "--from", paramLabel = "N", description = "Only the stats reported by node N; with --history, N's kept history (asked of N).")
    String from;

    @Option(names = "--history", paramLabel = "RANGE", description = "The history instead of the latest: 1h (1 s steps), 1d (1 min) or 30d (10 min).")
    String history;

    @Option(names = "--metric", paramLabel = "M", split = ",", description = "With --history: only these metrics (repeat or comma-separate).")
    List<String> metrics;

    @Override
    protected void validate() {
        object.args();
        if (history != null) {
            try {
                HistoryRange.parse(history);
            } catch (AcpException e) {
                throw new ParameterException(spec.commandLine(), "--history: " + e.getMessage());
            }
        } else if (metrics != null) {
            throw new ParameterException(spec.commandLine(), "--metric goes with --history");
        }
    }

    /** History is kept by the node that reported it: --from N asks N itself. */
    @Override
    protected String target(String globalNode) {
        if (history != null && from != null) {
            return from;
        }
        return node != null ? node : globalNode;
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = object.args();
        if (history != null) {
            args.put("range", HistoryRange.parse(history).wireName());
            if (metrics != null) {
                metrics.forEach(args.putArray("metrics")::add);
            }
            return print(api.call("cluster", "history", args), EntryText::historyTable);
        }
        if (from != null) {
            args.put("node", from);
        }
        JsonNode result = api.call("cluster", "stats", args);
        // The node answers one entry or an array; both print as a table.
        JsonNode entries = result.isArray() ? result : JsonNodeFactory.instance.arrayNode().add(result);
        return print(ReportLookup.requireKnown(api, object.args(), entries, "stats"), EntryText::statsTable);
    }
}
