package io.acp.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node started by {@code scripts/dev --no-build} in a {@link DevCheckout}, as a developer starts
 * one (the build already happened: the suite runs after package). Its output goes to a log file.
 * {@link #stop()} sends SIGINT, what Ctrl-C sends, and the script must stop the node and delete
 * its namespace; {@link #close()} makes sure nothing outlives the test even when that failed.
 */
final class DevNode implements AutoCloseable {

    static final Duration START_LIMIT = Duration.ofSeconds(90);

    private final DevCheckout checkout;
    private final String name;
    private final Process script;
    private final Path log;

    private DevNode(DevCheckout checkout, String name, Process script, Path log) {
        this.checkout = checkout;
        this.name = name;
        this.script = script;
        this.log = log;
    }

    /** {@code scripts/dev --no-build} with {@code arguments}, with ACP_DEV_NAME and ACP_DEV_PORT_BASE set; waits until the node is ready. */
    static DevNode start(DevCheckout checkout, String name, int portBase, String... arguments) throws IOException, InterruptedException {
        Path log = checkout.root().resolve("dev-" + name + ".log");
        List<String> command = new ArrayList<>(List.of("scripts/dev", "--no-build"));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(checkout.root().toFile());
        builder.environment().keySet().removeIf(k -> k.startsWith("ACP_"));
        builder.environment().put("ACP_DEV_NAME", name);
        builder.environment().put("ACP_DEV_PORT_BASE", Integer.toString(portBase));
        Process p = builder.redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        DevNode node = new DevNode(checkout, name, p, log);
        try {
            node.awaitLine("node " + name + " listening on", START_LIMIT);
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            node.close();
            throw e;
        }
        return node;
    }

    String awaitLine(String text, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : output()) {
                if (line.contains(text)) {
                    return line;
                }
            }
            if (!script.isAlive()) {
                fail("scripts/dev for " + name + " exited with " + script.exitValue() + " before printing '" + text + "':\n" + String.join("\n", output()));
            }
            Thread.sleep(200);
        }
        fail("scripts/dev for " + name + " did not print '" + text + "' within " + limit + ":\n" + String.join("\n", output()));
        return null;
    }

    /** Everything scripts/dev and its node printed so far. */
    List<String> output() throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8);
    }

    String name() {
        return name;
    }

    String namespace() {
        return "acp-" + name;
    }

    Path stateDir() {
        return checkout.root().resolve(".acp-dev").resolve(name);
    }

    /** The node's JVM (scripts/dev writes its pid). */
    long javaPid() throws IOException {
        return Long.parseLong(Files.readString(stateDir().resolve("pid"), StandardCharsets.US_ASCII).trim());
    }

    long scriptPid() {
        return script.pid();
    }

    /** SIGINT to scripts/dev, as Ctrl-C; answers its exit status. */
    int stop() throws IOException, InterruptedException {
        signal(script.pid(), "INT");
        if (!script.waitFor(45, TimeUnit.SECONDS)) {
            fail("scripts/dev for " + name + " did not exit within 45 s of SIGINT:\n" + String.join("\n", output()));
        }
        return script.exitValue();
    }

    private static void signal(long pid, String signal) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (script.isAlive()) {
            signal(script.pid(), "TERM");
            script.waitFor(45, TimeUnit.SECONDS);
        }
        // Whatever the script could not clean up: its JVM, its namespace.
        Path pid = stateDir().resolve("pid");
        if (Files.exists(pid)) {
            ProcessHandle.of(javaPid()).ifPresent(ProcessHandle::destroyForcibly);
        }
        script.destroyForcibly();
        if (DevCheckout.namespaceExists(namespace())) {
            new ProcessBuilder("ip", "netns", "del", namespace()).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
