package io.acp.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import org.eclipse.microprofile.config.ConfigProvider;
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
@Command(name = "acp", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, versionProvider = AcpCommand.Version.class,
        description = "ACP node service: run a node, or inspect and change the cluster through a running node's API.",
        subcommands = {NodeCommand.class, StatusCommand.class, ServicesCommand.class, GetCommand.class, PutCommand.class,
            DeleteCommand.class, MetaCommand.class, StatsCommand.class, WatchCommand.class, SystemCommand.class, NetworkCommand.class,
            StorageCommand.class, ClusterCommand.class, HealthCommand.class, AlarmsCommand.class, AlarmCommand.class, TaskCommand.class,
            TemplateCommand.class},
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

    /** The application version from Quarkus' configuration. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = ConfigProvider.getConfig().getOptionalValue("quarkus.application.version", String.class).orElse("unknown");
            return new String[] {"acp " + v};
        }
    }
}
