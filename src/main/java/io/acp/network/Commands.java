package io.acp.network;

import io.acp.node.HostProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs the network tools ({@code ip}, {@code bridge}, {@code vppctl}) inside the node's network
 * namespace, each bounded by a timeout. Blocking: callers run on the network service's thread,
 * never on an event loop.
 *
 * <p>With a namespace, {@code ip} and {@code bridge} get {@code -n NS} and other tools run under
 * {@code ip netns exec NS}; without one they act on the process's own namespace. The programs run
 * through the node's one {@link HostProcess}.
 */
public final class Commands {

    private final Optional<String> namespace;
    private final Duration timeout;

    public Commands(Optional<String> namespace, Duration timeout) {
        this.namespace = namespace.filter(ns -> !ns.isBlank());
        this.timeout = timeout;
    }

    public Optional<String> namespace() {
        return namespace;
    }

    /** {@code ip [-n NS] args}: answers stdout. */
    public String ip(String... args) {
        return run(tool("ip", args));
    }

    /** {@code bridge [-n NS] args}: answers stdout. */
    public String bridge(String... args) {
        return run(tool("bridge", args));
    }

    /** Any other program, inside the namespace. */
    public String exec(List<String> argv) {
        List<String> cmd = new ArrayList<>();
        namespace.ifPresent(ns -> cmd.addAll(List.of("ip", "netns", "exec", ns)));
        cmd.addAll(argv);
        return run(cmd);
    }

    private List<String> tool(String name, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(name);
        namespace.ifPresent(ns -> cmd.addAll(List.of("-n", ns)));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Runs a command; a non-zero exit or a timeout is a {@link CommandFailure} carrying its stderr. */
    String run(List<String> cmd) {
        HostProcess.Outcome outcome = HostProcess.run(cmd, timeout);
        if (outcome instanceof HostProcess.Outcome.Exited exited) {
            if (!exited.ok()) {
                String stderr = exited.err().strip();
                throw new CommandFailure(cmd, stderr.isEmpty() ? "exit " + exited.code() : stderr);
            }
            return exited.out();
        }
        if (outcome instanceof HostProcess.Outcome.NotStarted notStarted) {
            throw new CommandFailure(cmd, "cannot run: " + notStarted.why());
        }
        if (outcome instanceof HostProcess.Outcome.TimedOut) {
            throw new CommandFailure(cmd, "no answer within " + timeout.toMillis() + " ms");
        }
        throw new CommandFailure(cmd, "interrupted");
    }

    /** A network command that failed; the message names the command and what it printed. */
    public static final class CommandFailure extends RuntimeException {
        private final String detail;

        CommandFailure(List<String> cmd, String detail) {
            super(String.join(" ", cmd) + ": " + detail);
            this.detail = detail;
        }

        /** What the command said (its stderr), without the command line. */
        public String detail() {
            return detail;
        }
    }
}
