package io.acp.cli;

import io.acp.api.client.ApiClient;
import io.acp.model.JsonTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code acp alarm ack ID}: acts on one alarm. */
@Command(name = "alarm", description = "Act on one alarm.", subcommands = AlarmCommand.Ack.class)
class AlarmCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command, e.g. 'acp alarm ack ID'");
    }

    @Command(name = "ack", description = "Acknowledge an alarm: it stays acknowledged until the monitor clears it.")
    static class Ack extends ClientCommand {

        @Parameters(index = "0", paramLabel = "ID", description = "The alarm's id, as 'acp alarms' lists it.")
        String id;

        @Override
        protected int run(ApiClient api) {
            return print(api.call("monitor", "ack", JsonTrees.object().put("id", id)), (a, out) ->
                    out.println("alarm " + a.path("id").asText() + ": " + a.path("state").asText()
                            + (a.hasNonNull("ackedBy") ? " by " + a.get("ackedBy").asText() : "")));
        }
    }
}
