package io.acp.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * How a usage error reads. A mistyped subcommand name gets a suggestion: {@code acp system lsit}
 * answers "did you mean 'acp system list'?" (picocli's own suggestions compare letter pairs and find
 * nothing for a swapped pair; an edit distance that counts a swap as one edit does). A command
 * group ({@code acp}, {@code acp system}) still prints its usage, which is the list of its commands.
 * A command's own error (a bad value, a missing argument, an unknown option) is the error, picocli's
 * suggestions for a mistyped option, and where to read the options: picocli would print the whole
 * help after it, some 80 lines for {@code acp system create}, which scroll the one line that says
 * what is wrong off the terminal.
 */
final class UsageErrors implements IParameterExceptionHandler {

    private final IParameterExceptionHandler standard;

    UsageErrors(IParameterExceptionHandler standard) {
        this.standard = standard;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) throws Exception {
        CommandLine cli = ex.getCommandLine();
        if (ex instanceof UnmatchedArgumentException unmatched && !cli.getSubcommands().isEmpty()) {
            List<String> rest = unmatched.getUnmatched();
            String typed = rest.isEmpty() ? null : rest.get(0);
            if (typed != null && !typed.startsWith("-")) {
                String best = closest(typed, cli);
                if (best != null) {
                    PrintWriter err = cli.getErr();
                    String path = cli.getCommandSpec().qualifiedName(" ");
                    err.println("acp: '" + typed + "' is not a command of '" + path + "'; did you mean '" + path + " " + best + "'?");
                    err.flush();
                    return ExitCodes.USAGE;
                }
            }
        }
        if (!cli.getSubcommands().isEmpty()) {
            return standard.handleParseException(ex, args);
        }
        PrintWriter err = cli.getErr();
        err.println("acp: " + ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("See '" + cli.getCommandSpec().qualifiedName(" ") + " --help' for its options.");
        err.flush();
        return ExitCodes.USAGE;
    }

    /** The subcommand nearest to {@code typed}, if it is near enough to be a typo. */
    static String closest(String typed, CommandLine cli) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : cli.getSubcommands().keySet()) {
            int d = distance(typed.toLowerCase(Locale.ROOT), name);
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        int allowed = Math.max(1, Math.min(2, typed.length() / 3));
        return bestDistance <= allowed ? best : null;
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
