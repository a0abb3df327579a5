package io.acp.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "node", description = "Run this machine's node; list the cluster's nodes; evacuate a node for maintenance and resume it.", subcommands = {NodeRunCommand.class, NodeJoinCommand.class, NodeListCommand.class,
    NodeEvacuateCommand.class, NodeResumeCommand.class})
class NodeCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command: 'acp node run', 'acp node join', 'acp node list', 'acp node evacuate' or 'acp node resume'");
    }

    /**
     * True for {@code acp node run ...}, the one command that starts services (and logs at INFO).
     * {@code acp} itself has no options but -h and -V, so the command is always the first words.
     */
    static boolean isNodeRun(String... args) {
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) {
                return false;
            }
        }
        return args.length >= 2 && args[0].equals("node") && args[1].equals("run");
    }
}
