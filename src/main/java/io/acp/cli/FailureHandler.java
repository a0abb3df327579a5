package io.acp.cli;

import io.acp.protocol.AcpException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failed command into one line on stderr, {@code acp: <code>: <message>}, and the exit
 * code of {@link ExitCodes}. No stack traces: the message names what is at fault.
 */
final class FailureHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, ParseResult parsed) {
        if (e instanceof AcpException acp) {
            cli.getErr().println("acp: " + acp.code().wireName() + ": " + acp.getMessage());
            cli.getErr().flush();
            return ExitCodes.of(acp.code());
        }
        cli.getErr().println("acp: internal: " + describe(e));
        cli.getErr().flush();
        return ExitCodes.FAILURE;
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getName() : m;
    }
}
