package io.acp.cli;

import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "run", description = {
    "Start this node's services (acp.node.services) and serve until SIGTERM or SIGINT, then stop them in reverse order.",
    "Configure with -Dacp.… system properties, ACP_… environment variables or a file named by -Dquarkus.config.locations (docs/configuration.md)."})
class NodeRunCommand implements Callable<Integer>, NeedsApplication {

    @Inject
    NodeLifecycle node;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            node.start();
        } catch (RuntimeException e) {
            spec.commandLine().getErr().println("acp: node " + node.nodeId() + " failed to start: " + message(e));
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILURE;
        }
        spec.commandLine().getOut().println(node.readyLine());
        spec.commandLine().getOut().flush();
        Quarkus.waitForExit();
        return ExitCodes.OK;
    }

    private static String message(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getMessage() == null) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getName();
    }
}
