package io.acp.cli;

import io.acp.webapi.HttpSwitch;
import io.quarkus.runtime.ApplicationLifecycleManager;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.util.OptionalInt;
import picocli.CommandLine;

/**
 * Entry point of the {@code acp} binary. A client command (status, get, put, watch …) runs straight
 * from {@code main} without booting the application ({@link ClientLauncher}); {@code acp node run}
 * and the few commands that need the node's beans ({@link NeedsApplication}) boot Quarkus (config,
 * CDI) and run as one picocli command in it. Only {@code acp node run} starts the node's services,
 * and only it may open the HTTP listener ({@link HttpSwitch}).
 */
@QuarkusMain
public class AcpMain implements QuarkusApplication {

    // Instances, not the beans themselves: Quarkus' picocli factory loads picocli's CommandLine as
    // it is made, and a bare `acp node run` needs neither.
    @Inject
    Instance<CommandLine.IFactory> factory;

    @Inject
    Instance<NodeRunCommand> nodeRun;

    public static void main(String... args) {
        if (NodeCommand.isNodeRun(args)) {
            // Only the node's own JVM may open the HTTP listener (and only with webapi configured):
            // a client command next to a running node must never collide with its port.
            setIfAbsent(HttpSwitch.NODE_RUN, "true");
        } else {
            OptionalInt answered = ClientLauncher.run(args);
            if (answered.isPresent()) {
                exit(answered.getAsInt());
                return;
            }
            // A command that needs the application (cluster init …): its stdout is its answer (maybe
            // --json for a script): keep the framework's start-up chatter out of it.
            setIfAbsent("quarkus.log.console.stderr", "true");
            setIfAbsent("quarkus.log.level", "WARN");
            // The optional node-local config file is usually absent on a client machine.
            setIfAbsent("quarkus.log.category.\"io.smallrye.config\".level", "ERROR");
        }
        Quarkus.run(AcpMain.class, args);
    }

    @Override
    public int run(String... args) {
        if (args.length == 2 && NodeCommand.isNodeRun(args)) {
            // The node's own start, as the launcher and the systemd unit run it: straight to the
            // command, without building picocli's model of `acp`, `acp node` and its five
            // subcommands (about 170 picocli classes, which the JDK 17 class archive cannot hold,
            // and their annotations read by reflection) on the main thread before any service starts.
            return nodeRun.get().run(new PrintWriter(System.out, true), new PrintWriter(System.err, true));
        }
        return AcpCommand.commandLine(factory.get(), args).execute(args);
    }

    /**
     * Ends a call answered without the application: {@code System.exit} as Quarkus.run ends. Only
     * under the runner (the jar, an install) is that done directly, because initializing
     * {@link ApplicationLifecycleManager} sets up Quarkus' logging, about a sixth of a client call;
     * in a {@code @QuarkusMainTest} (another class loader) its handler records the code instead.
     */
    private static void exit(int code) {
        if (AcpMain.class.getClassLoader().getClass().getName().startsWith("io.quarkus.bootstrap.runner.")) {
            System.exit(code);
        }
        ApplicationLifecycleManager.getDefaultExitCodeHandler().accept(code, null);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
