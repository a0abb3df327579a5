package io.acp.cli;

import java.io.PrintWriter;
import java.util.OptionalInt;
import picocli.CommandLine;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.RunLast;

/**
 * Runs a client command (status, get, put, system …, watch …) straight from {@code main}: picocli
 * with a plain factory and the two settings of {@link ClientConfiguration}, no Quarkus boot, no
 * CDI. A client call so costs a JVM start and the command's own work, not the node's application.
 *
 * <p>The command line is parsed here first; a command that needs the application
 * ({@link NeedsApplication}) is handed back to {@link AcpMain}, which boots Quarkus and runs it
 * there (on the client's own class path, {@link ClientMain} hands it to {@link ApplicationProcess}).
 * Usage errors, help and the version (from a resource the build wrote) are answered here,
 * by the same picocli set-up ({@link AcpCommand#commandLine}), so both paths print the same bytes.
 */
final class ClientLauncher {

    private ClientLauncher() {
    }

    /** The command's exit code, or empty when it must run in the application. */
    static OptionalInt run(String... args) {
        return run(null, null, args);
    }

    /**
     * As {@link #run(String...)}, printing to {@code out} and {@code err} instead of the process's
     * standard streams (either may be null: that stream stays picocli's default, on System.out or
     * System.err). The tests of the commands run them so, in their own JVM.
     */
    static OptionalInt run(PrintWriter out, PrintWriter err, String... args) {
        Factory factory = new Factory();
        boolean[] needsApplication = {false};
        CommandLine cli;
        try {
            cli = AcpCommand.commandLine(factory, args);
        } catch (CommandLine.InitializationException e) {
            if (factory.configurationFailed) {
                // e.g. ACP_API_SOCKET set empty: the application reports it in its own words
                return OptionalInt.empty();
            }
            throw e;
        }
        if (out != null) {
            cli.setOut(out);
        }
        if (err != null) {
            cli.setErr(err);
        }
        cli.setExecutionStrategy(parsed -> {
            if (needsApplication(parsed)) {
                needsApplication[0] = true;
                return ExitCodes.OK;
            }
            return new RunLast().execute(parsed);
        });
        int code = cli.execute(args);
        cli.getOut().flush();
        cli.getErr().flush();
        return needsApplication[0] ? OptionalInt.empty() : OptionalInt.of(code);
    }

    private static boolean needsApplication(ParseResult parsed) {
        ParseResult leaf = parsed;
        for (ParseResult p = parsed; p != null; p = p.subcommand()) {
            // as picocli's printHelpIfRequested: the first command asking for help or the version answers
            if (p.isUsageHelpRequested() || p.isVersionHelpRequested()) {
                return false;
            }
            leaf = p;
        }
        return leaf.commandSpec().userObject() instanceof NeedsApplication;
    }

    /**
     * Picocli's own factory, plus the connector every {@link ClientCommand} has injected in the
     * application; the configuration is read once, when the first client command is made.
     */
    static final class Factory implements IFactory {

        private final IFactory standard = CommandLine.defaultFactory();
        private ApiConnector connector;
        private boolean configurationFailed;

        @Override
        public <K> K create(Class<K> type) throws Exception {
            K made = standard.create(type);
            if (made instanceof ClientCommand command) {
                if (connector == null) {
                    try {
                        connector = ClientConfiguration.connector();
                    } catch (RuntimeException e) {
                        configurationFailed = true;
                        throw e;
                    }
                }
                command.connector = connector;
            }
            return made;
        }
    }
}
