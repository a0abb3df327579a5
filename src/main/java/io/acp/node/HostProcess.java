package io.acp.node;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The node's one way to run a host program (ip, bridge, lvm, mount, qemu-img, genisoimage…):
 * stdin closed, both pipes drained at once so a chatty program never stalls on a full pipe, a
 * deadline after which the program and its children are killed. It blocks the calling worker;
 * never call it on an event loop.
 *
 * <p>It answers what happened as a {@link Outcome} and throws nothing of its own: each capability
 * turns an outcome into the error its operators know (the storage service quotes LVM's own text,
 * the network service names the command, the hypervisor names the Debian package of a missing
 * tool).
 */
public final class HostProcess {

    /** Reads the programs' pipes: a program that keeps them open cannot outlast its deadline. */
    private static final ExecutorService PIPES = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "acp-host-process-pipe");
        t.setDaemon(true);
        return t;
    });

    private HostProcess() {
    }

    /** How a run ended. */
    public sealed interface Outcome {
        /** The program could not be started at all (not installed, not executable). */
        record NotStarted(String why) implements Outcome {
        }

        /** It ran past its deadline and was killed with its children. */
        record TimedOut(Duration after) implements Outcome {
        }

        /** The calling thread was interrupted (its service is stopping); the program was killed. */
        record Interrupted() implements Outcome {
        }

        /** It exited; {@code out} and {@code err} are what it printed. */
        record Exited(int code, String out, String err) implements Outcome {
            public boolean ok() {
                return code == 0;
            }
        }
    }

    /** Runs {@code command} with the process's own environment. */
    public static Outcome run(List<String> command, Duration deadline) {
        return run(command, deadline, Map.of());
    }

    /** Runs {@code command} with {@code environment} added to the process's own. */
    public static Outcome run(List<String> command, Duration deadline, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(new File("/dev/null"));
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return new Outcome.NotStarted(e.getMessage());
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()), PIPES);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()), PIPES);
        try {
            if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                return new Outcome.TimedOut(deadline);
            }
            // The program has exited; its pipes close with it unless a child it left keeps them open.
            return new Outcome.Exited(process.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            return new Outcome.Interrupted();
        } catch (ExecutionException | TimeoutException e) {
            // A child still holds the pipes after the program exited: what it printed is lost, its exit code is not.
            return new Outcome.Exited(process.exitValue(), out.getNow(""), err.getNow(""));
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
