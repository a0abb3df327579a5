package io.acp.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code acp} command: runs the node ({@code acp node run}) and talks to a running one. */
@TopCommand
// scope = INHERIT: every subcommand gets -h/--help, -V/--version and the exit code list too.
// The subcommands are not listed here but in COMMANDS: commandLine builds only the one a command line names.
@Command(name = "acp", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, versionProvider = AcpCommand.Version.class,
        description = "ACP node service: run a node, or inspect and change the cluster through a running node's API.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:other failure (e.g. internal fault of the node)",
            "2:usage error",
            "3:not_found",
            "4:unauthorized or forbidden",
            "5:unavailable, timeout, or cannot connect to the node",
            "6:conflict (--if-version did not match; a system not in the state the operation needs)",
            "7:bad_request (invalid type, id or spec)"},
        footer = "%nSee docs/cli.md for examples.")
public class AcpCommand implements Runnable {

    /**
     * The subcommands by name, in the order help lists them. Picocli reads every command class's
     * annotations when it builds a command, the slowest part of a client call; {@link #commandLine}
     * builds only the one named on the command line (all of them for help, a typo or no command).
     * Each name is its class's {@code @Command(name)} (CommandTreeTest checks).
     */
    static final Map<String, Class<?>> COMMANDS = commands(
            "node", NodeCommand.class, "status", StatusCommand.class, "services", ServicesCommand.class, "get", GetCommand.class,
            "put", PutCommand.class, "delete", DeleteCommand.class, "meta", MetaCommand.class, "stats", StatsCommand.class,
            "watch", WatchCommand.class, "system", SystemCommand.class, "network", NetworkCommand.class, "storage", StorageCommand.class,
            "cluster", ClusterCommand.class, "health", HealthCommand.class, "alarms", AlarmsCommand.class, "alarm", AlarmCommand.class,
            "task", TaskCommand.class, "template", TemplateCommand.class);

    @Spec
    CommandSpec spec;

    /** The node a client command's requests are for; the connected node routes them through its agent. */
    @Option(names = "--node", paramLabel = "NODE", scope = ScopeType.LOCAL,
            description = "Send client commands' requests to node NODE, through the connected node (e.g. acp --node n2 status).")
    String node;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing a command, e.g. 'acp status' or 'acp node run'");
    }

    private static Map<String, Class<?>> commands(Object... nameThenClass) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (int i = 0; i < nameThenClass.length; i += 2) {
            byName.put((String) nameThenClass[i], (Class<?>) nameThenClass[i + 1]);
        }
        return Collections.unmodifiableMap(byName);
    }

    /**
     * The subcommands {@code args} needs: only the one it names when it starts with that name
     * (after {@code --node NODE}); none for just {@code acp --version}; all of them otherwise, as
     * for {@code acp}, {@code acp --help} or a mistyped name, whose answers list or suggest them.
     */
    static Collection<Class<?>> commandsFor(String... args) {
        int i = 0;
        while (i < args.length && (args[i].equals("--node") || args[i].startsWith("--node="))) {
            i += args[i].equals("--node") ? 2 : 1;
        }
        if (i == args.length - 1 && (args[i].equals("-V") || args[i].equals("--version"))) {
            return List.of();   // acp --version: the top command answers, and lists no command
        }
        Class<?> named = i < args.length ? COMMANDS.get(args[i]) : null;
        return named != null ? List.of(named) : COMMANDS.values();
    }

    /**
     * The {@code acp} command line for {@code args}, the same in the application and outside it:
     * with the subcommands {@code args} needs ({@link AcpCommand#commandsFor}).
     */
    static CommandLine commandLine(CommandLine.IFactory factory, String... args) {
        CommandLine cli = new CommandLine(AcpCommand.class, factory);
        for (Class<?> command : AcpCommand.commandsFor(args)) {
            cli.addSubcommand(new CommandLine(command, factory));
        }
        return cli.setExecutionExceptionHandler(new FailureHandler())
                .setParameterExceptionHandler(new UsageErrors(cli.getParameterExceptionHandler()))
                // "@file" is ours (--spec @spec.json), not picocli's argument files.
                .setExpandAtFiles(false);
    }

    /**
     * The project's version, as the build wrote it into {@code version.properties} (Maven resource
     * filtering; Quarkus' {@code quarkus.application.version} is the same project version), so
     * {@code --version} is answered without booting the application.
     */
    static final class Version implements IVersionProvider {

        static final String RESOURCE = "version.properties";

        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = AcpCommand.class.getResourceAsStream(RESOURCE)) {
                if (in != null) {
                    p.load(in);
                }
            }
            return new String[] {"acp " + p.getProperty("version", "unknown")};
        }
    }
}
