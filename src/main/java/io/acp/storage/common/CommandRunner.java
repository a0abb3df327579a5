package io.acp.storage.common;

import io.acp.node.HostProcess;
import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs an external command (lvm, mount, qemu-img) with a deadline through the node's one
 * {@link HostProcess}, blocking the calling worker thread. A command past its deadline is killed and reported as TIMEOUT; a non-zero exit is
 * INTERNAL with the command's own error text, so the operator sees what LVM or mount said.
 */
public final class CommandRunner {

    /** What a finished command printed. */
    public record Result(int exitCode, String out, String err) {
    }

    private final Duration timeout;

    public CommandRunner(Duration timeout) {
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    /** Runs and requires exit code 0; answers stdout. */
    public String run(List<String> command) {
        Result r = exec(command);
        if (r.exitCode() != 0) {
            throw new AcpException(ErrorCode.INTERNAL, String.join(" ", command) + " failed (exit " + r.exitCode() + "): " + firstLines(r));
        }
        return r.out();
    }

    /** Runs and answers whatever came out, failing only if it could not run or timed out. */
    public Result exec(List<String> command) {
        // LVM complains about every inherited descriptor; the JVM has many.
        HostProcess.Outcome outcome = HostProcess.run(command, timeout, Map.of("LVM_SUPPRESS_FD_WARNINGS", "1", "LC_ALL", "C"));
        if (outcome instanceof HostProcess.Outcome.Exited exited) {
            return new Result(exited.code(), exited.out(), exited.err());
        }
        if (outcome instanceof HostProcess.Outcome.NotStarted notStarted) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "cannot run " + command.get(0) + ": " + notStarted.why() + " (is it installed?)");
        }
        if (outcome instanceof HostProcess.Outcome.TimedOut) {
            throw new AcpException(ErrorCode.TIMEOUT, String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s and was killed");
        }
        throw new AcpException(ErrorCode.UNAVAILABLE, String.join(" ", command) + " interrupted (service stopping)");
    }

    /** The error text worth showing: stderr, else stdout, trimmed to a few lines. */
    public static String firstLines(Result r) {
        String text = r.err().isBlank() ? r.out() : r.err();
        StringBuilder b = new StringBuilder();
        text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("WARNING: Activation disabled")).limit(3).forEach(l -> {
            if (b.length() > 0) {
                b.append("; ");
            }
            b.append(l);
        });
        return b.length() == 0 ? "(no output)" : b.toString();
    }
}
