package io.acp.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "cluster", description = "Create a cluster and admit nodes to it (run on the node, as root).",
        subcommands = {ClusterInitCommand.class, ClusterAddNodeCommand.class, ClusterAddOperatorCommand.class, ClusterJoinTokenCommand.class,
            ClusterRenewCertCommand.class, ClusterRevokeCommand.class, ClusterRotateSecretCommand.class})
class ClusterCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command: 'acp cluster init', 'join-token', 'add-node', 'add-operator', 'revoke' or 'rotate-secret'");
    }
}
