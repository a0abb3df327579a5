package io.acp.cli;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.OptionalInt;
import picocli.CommandLine;

/**
 * Runs {@code acp} commands the way {@link AcpMain} does, inside the test's running application: a
 * client command through {@link ClientLauncher} (as {@code AcpMain.main} answers it before booting
 * anything), any other ({@code cluster init}, {@code add-node}, {@code join-token} …) through
 * picocli's command line over the application's CDI factory (as {@code AcpMain.run} does once
 * Quarkus has started), its output captured. One application serves every command of a test class,
 * where a {@code @QuarkusMainTest} boots one per command (1.5 to 3.5 s each on a 2-core machine);
 * the commands, their injected beans and what they print are the same code. What this does not
 * cover, the packaged binary's own start per command, the ITs do (CliAgainstNodeIT, ClusterJoinIT …).
 *
 * <p>Implements Quarkus' launcher interface so that a test reads the same either way.
 */
final class InApplicationCli implements QuarkusMainLauncher {

    private final CommandLine.IFactory factory;

    /** @param factory the application's picocli factory (inject {@code CommandLine.IFactory}) */
    InApplicationCli(CommandLine.IFactory factory) {
        this.factory = factory;
    }

    @Override
    public LaunchResult launch(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        PrintWriter o = new PrintWriter(out, true);
        PrintWriter e = new PrintWriter(err, true);
        OptionalInt answered = ClientLauncher.run(o, e, args);
        int code = answered.isPresent() ? answered.getAsInt()
                : AcpCommand.commandLine(factory, args).setOut(o).setErr(e).execute(args);
        return InProcessClient.result(code, out, err);
    }
}
