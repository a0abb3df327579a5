package io.acp.testing;

/** The positional arguments of a benchmark's {@code main}. */
public final class BenchArgs {

    private BenchArgs() {
    }

    /** Argument {@code index} (from 0), or {@code otherwise} when left out; one that is not a whole number is refused naming it. */
    public static int whole(String[] args, int index, String name, int otherwise) {
        if (args.length <= index) {
            return otherwise;
        }
        try {
            return Integer.parseInt(args[index]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("argument " + (index + 1) + " (" + name + ") must be a whole number, got '" + args[index] + "'", e);
        }
    }
}
