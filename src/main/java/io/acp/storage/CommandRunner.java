package io.acp.storage;

import io.acp.protocol.AcpException;
import io.acp.protocol.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs an external command (lvm, mount, qemu-img) with a deadline, blocking the calling worker
 * thread. A command past its deadline is killed and reported as TIMEOUT; a non-zero exit is
 * INTERNAL with the command's own error text, so the operator sees what LVM or mount said.
 */
final class CommandRunner {

    /** What a finished command printed. */
    record Result(int exitCode, String out, String err) {
    }

    private final Duration timeout;

    CommandRunner(Duration timeout) {
        this.timeout = timeout;
    }

    Duration timeout() {
        return timeout;
    }

    /** Runs and requires exit code 0; answers stdout. */
    String run(List<String> command) {
        Result r = exec(command);
        if (r.exitCode() != 0) {
            throw new AcpException(ErrorCode.INTERNAL, String.join(" ", command) + " failed (exit " + r.exitCode() + "): " + firstLines(r));
        }
        return r.out();
    }

    /** Runs and answers whatever came out, failing only if it could not run or timed out. */
    Result exec(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        // LVM complains about every inherited descriptor; the JVM has many.
        pb.environment().put("LVM_SUPPRESS_FD_WARNINGS", "1");
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AcpException(ErrorCode.UNAVAILABLE, "cannot run " + command.get(0) + ": " + e.getMessage() + " (is it installed?)");
        }
        try {
            p.getOutputStream().close();
            CompletableFuture<String> out = drain(p.getInputStream(), command.get(0));
            CompletableFuture<String> err = drain(p.getErrorStream(), command.get(0));
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AcpException(ErrorCode.TIMEOUT, String.join(" ", command) + " did not finish within " + timeout.toSeconds() + " s and was killed");
            }
            return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new AcpException(ErrorCode.UNAVAILABLE, String.join(" ", command) + " interrupted (service stopping)");
        } catch (IOException | ExecutionException | TimeoutException e) {
            throw new AcpException(ErrorCode.INTERNAL, "cannot read the output of " + command.get(0) + ": " + e.getMessage());
        }
    }

    /** The error text worth showing: stderr, else stdout, trimmed to a few lines. */
    static String firstLines(Result r) {
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

    /** Reads a stream to its end on a thread of its own, so a full pipe never stalls the command. */
    private static CompletableFuture<String> drain(InputStream in, String name) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread t = new Thread(() -> f.complete(read(in)), "acp-storage-" + name + "-output");
        t.setDaemon(true);
        t.start();
        return f;
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
