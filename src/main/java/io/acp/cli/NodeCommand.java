package io.acp.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "node", description = "Run this machine's node.", subcommands = NodeRunCommand.class)
class NodeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command: 'acp node run'");
    }

    /** True for {@code acp [options] node run ...}: the one command that starts services. */
    static boolean isNodeRun(String... args) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("node") && args[i + 1].equals("run")) {
                return true;
            }
        }
        return false;
    }
}
