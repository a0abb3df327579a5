package io.acp.network;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Runs the network tools ({@code ip}, {@code bridge}, {@code vppctl}) inside the node's network
 * namespace, each bounded by a timeout. Blocking: callers run on the network service's thread,
 * never on an event loop.
 *
 * <p>With a namespace, {@code ip} and {@code bridge} get {@code -n NS} and other tools run under
 * {@code ip netns exec NS}; without one they act on the process's own namespace.
 */
public final class Commands {

    /** Reads the commands' pipes, so a command that never closes them cannot outlast its timeout. */
    private static final ExecutorService PIPES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "acp-network-pipe");
        t.setDaemon(true);
        return t;
    });

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
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectInput(new File("/dev/null")).start();
        } catch (IOException e) {
            throw new CommandFailure(cmd, "cannot run: " + e.getMessage());
        }
        // Both pipes drained concurrently, so a chatty command cannot block on a full pipe.
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), PIPES);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), PIPES);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new CommandFailure(cmd, "no answer within " + timeout.toMillis() + " ms");
            }
            String stdout = out.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (p.exitValue() != 0) {
                String stderr = err.get(timeout.toMillis(), TimeUnit.MILLISECONDS).strip();
                throw new CommandFailure(cmd, stderr.isEmpty() ? "exit " + p.exitValue() : stderr);
            }
            return stdout;
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CommandFailure(cmd, "interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new CommandFailure(cmd, "cannot read its output: " + e.getMessage());
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
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
