package io.acp.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.io.PrintWriter;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code acp node evacuate NODE [--to NODE] [--wait]}: sent to NODE itself (it drives the
 * migrations), which marks itself unschedulable and moves its systems off. With {@code --wait} the
 * CLI follows the progress in NODE's object until the evacuation ends (no request stays open that
 * long, so no timeout cuts it short).
 */
@Command(name = "evacuate", description = {"Make NODE unschedulable (no create, migration or HA failover chooses it) and move every system off it:",
    "running ones by live migration, stopped ones by moving their definition, each to the least loaded node that has its networks",
    "and pools (or --to). A system that cannot move is named with its rule. NODE stays unschedulable until 'acp node resume NODE'.",
    "Running it again moves what is left."})
class NodeEvacuateCommand extends ClientCommand {

    private static final Set<String> ENDED = Set.of("done", "incomplete", "interrupted");

    @Parameters(index = "0", paramLabel = "NODE", description = "The node to empty.")
    String node;

    @Option(names = "--to", paramLabel = "NODE", description = "Move every system to this node.")
    String to;

    @Option(names = "--wait", description = "Wait until every system has moved (or was left); exit 1 if any was left.")
    boolean await;

    @Option(names = "--poll-ms", hidden = true, defaultValue = "500")
    long pollMs;

    @Override
    protected String target(String globalNode) {
        return node;
    }

    @Override
    protected int run(ApiClient api) {
        ObjectNode args = JsonTrees.object().put("id", node).put("wait", false);
        if (to != null) {
            args.put("to", to);
        }
        JsonNode started = api.call("hypervisor", "node-evacuate", args);
        if (!await) {
            return print(started, (r, out) -> {
                out.println("node " + node + " is unschedulable; evacuating " + r.path("evacuation").path("systems").size()
                        + " systems (follow with 'acp node list' or 'acp get node " + node + "')");
                out.flush();
            });
        }
        JsonNode progress = started.path("evacuation");
        while (!ENDED.contains(progress.path("state").asText())) {
            sleep();
            progress = api.call(null, "cluster", "get", JsonTrees.object().put("type", "node").put("id", node)).path("spec").path("evacuation");
            if (progress.isMissingNode()) {
                throw new AcpException(ErrorCode.CONFLICT, "node " + node + " was resumed (acp node resume) during its evacuation");
            }
        }
        JsonNode ended = progress;
        print(JsonTrees.object().put("node", node).set("evacuation", ended), (r, out) -> human(ended, out));
        return ended.path("state").asText().equals("done") ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    private void human(JsonNode progress, PrintWriter out) {
        Table t = new Table("SYSTEM", "STATE", "NODE", "RULE", "REASON");
        progress.path("systems").fields().forEachRemaining(f -> t.row(f.getKey(), f.getValue().path("state").asText(),
                f.getValue().path("node").asText("-"), f.getValue().path("rule").asText("-"), f.getValue().path("reason").asText("-")));
        t.print(out);
        out.println("evacuation of node " + node + ": " + progress.path("state").asText() + "; node " + node + " stays unschedulable until 'acp node resume " + node + "'");
        out.flush();
    }

    private void sleep() {
        try {
            Thread.sleep(pollMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AcpException(ErrorCode.UNAVAILABLE, "interrupted while waiting for the evacuation of node " + node + "; it goes on");
        }
    }
}
