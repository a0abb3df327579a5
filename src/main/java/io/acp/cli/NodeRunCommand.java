package io.acp.cli;

import io.quarkus.runtime.Quarkus;
import jakarta.inject.Inject;
import java.io.PrintWriter;
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
        return run(spec.commandLine().getOut(), spec.commandLine().getErr());
    }

    /**
     * Starts the node, prints its ready line to {@code out} and serves until the JVM is asked to
     * stop. Also called by {@link AcpMain} without picocli for a bare {@code acp node run}.
     */
    int run(PrintWriter out, PrintWriter err) {
        try {
            node.start();
        } catch (RuntimeException e) {
            err.println("acp: node " + node.nodeId() + " failed to start: " + message(e));
            err.flush();
            return ExitCodes.FAILURE;
        }
        out.println(node.readyLine());
        out.flush();
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
