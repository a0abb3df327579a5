package io.acp.cli;

import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code acp node resume NODE}: NODE takes systems again (any node may write it, so NODE may be down). */
@Command(name = "resume", description = {"Make NODE schedulable again after 'acp node evacuate' and forget its evacuation;",
    "an evacuation still under way stops before its next system. Systems that moved away stay where they are."})
class NodeResumeCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "NODE", description = "The node to make schedulable.")
    String node;

    @Override
    protected int run(ApiClient api) {
        return print(api.call("hypervisor", "node-resume", JsonTrees.object().put("id", node)), (r, out) -> {
            out.println("node " + node + " is schedulable again");
            out.flush();
        });
    }
}
