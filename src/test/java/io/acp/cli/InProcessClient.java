package io.acp.cli;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

/**
 * Runs a client command ({@code status}, {@code get}, {@code system …}, {@code task …}) in the test's
 * own JVM through {@link ClientLauncher}, the path {@code acp} takes for every such call (the
 * launcher's {@link ClientMain}, and {@link AcpMain#main} before it would boot anything). A
 * {@code @QuarkusMainTest} answers the same, but builds a new application class loader for every
 * launch (1.5 to 3 s each on a 2-core machine); the command, its parsing, its connection to the node
 * and what it prints are the same code. A command that needs the application ({@link NeedsApplication},
 * e.g. {@code cluster init}) fails the test here: those run in a test application ({@link InApplicationCli}).
 *
 * <p>Implements Quarkus' launcher interface so that a test reads the same either way.
 */
final class InProcessClient implements QuarkusMainLauncher {

    @Override
    public LaunchResult launch(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        OptionalInt code = ClientLauncher.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        if (code.isEmpty()) {
            throw new AssertionError("acp " + String.join(" ", args) + " needs the node's application: test it with InApplicationCli in a @QuarkusTest");
        }
        return result(code.getAsInt(), out, err);
    }

    /** What a command printed and answered, as the Quarkus launcher gives it. */
    static LaunchResult result(int exitCode, StringWriter out, StringWriter err) {
        return new Result(exitCode, lines(out.toString()), lines(err.toString()));
    }

    /** Lines as the Quarkus launcher gives them: split at line ends, no empty last line for the final newline. */
    private static List<String> lines(String text) {
        if (text.isEmpty()) {
            return List.of();
        }
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        return Arrays.asList(body.split("\r?\n", -1));
    }

    private record Result(int exitCode, List<String> getOutputStream, List<String> getErrorStream) implements LaunchResult {
    }
}
