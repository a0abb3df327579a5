package io.acp.cli;

import io.acp.webapi.HttpSwitch;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import picocli.CommandLine;

/**
 * Entry point of the {@code acp} binary. Every invocation boots Quarkus (config, CDI) and then
 * runs one picocli command; only {@code acp node run} starts the node's services, and only it may
 * open the HTTP listener ({@link HttpSwitch}).
 */
@QuarkusMain
public class AcpMain implements QuarkusApplication {

    @Inject
    CommandLine.IFactory factory;

    public static void main(String... args) {
        if (NodeCommand.isNodeRun(args)) {
            // Only the node's own JVM may open the HTTP listener (and only with webapi configured):
            // a client command next to a running node must never collide with its port.
            setIfAbsent(HttpSwitch.NODE_RUN, "true");
        } else {
            // A client command's stdout is its answer (maybe --json for a script): keep the
            // framework's start-up chatter out of it.
            setIfAbsent("quarkus.log.console.stderr", "true");
            setIfAbsent("quarkus.log.level", "WARN");
            // The optional node-local config file is usually absent on a client machine.
            setIfAbsent("quarkus.log.category.\"io.smallrye.config\".level", "ERROR");
        }
        Quarkus.run(AcpMain.class, args);
    }

    @Override
    public int run(String... args) {
        CommandLine cli = new CommandLine(AcpCommand.class, factory);
        return cli.setExecutionExceptionHandler(new FailureHandler())
                .setParameterExceptionHandler(new CommandSuggestions(cli.getParameterExceptionHandler()))
                // "@file" is ours (--spec @spec.json), not picocli's argument files.
                .setExpandAtFiles(false)
                .execute(args);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
