package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.model.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The packaged application (target/quarkus-app) and how to launch it as a separate process. */
final class AcpApp {

    /** Where Failsafe says the packaged app is. */
    static final Path APP_DIR = Path.of(System.getProperty("acp.app.dir", "target/quarkus-app"));
    static final Path JAR = APP_DIR.resolve("quarkus-run.jar");
    /** The client's jar (io.acp.cli.ClientMain on a plain class path), what the launcher runs a client call from. */
    static final Path CLIENT_JAR = APP_DIR.resolve("acp-client.jar");
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    private AcpApp() {
    }

    /**
     * The command line for {@code args} as the launcher ({@code packaging/acp}) runs them:
     * {@code acp node run} from quarkus-run.jar, every other command (a client call) from
     * acp-client.jar, the plain class path without Quarkus' runner.
     */
    static List<String> command(List<String> jvmOptions, String... args) {
        boolean nodeRun = args.length >= 2 && args[0].equals("node") && args[1].equals("run");
        return command(nodeRun ? JAR : CLIENT_JAR, jvmOptions, args);
    }

    /**
     * The command line for {@code java [jvmOptions] -jar JAR [args]}. Short-lived CLI runs use C1
     * only and the serial collector: they start faster on a small machine.
     */
    static List<String> command(Path jar, List<String> jvmOptions, String... args) {
        if (!Files.isRegularFile(jar)) {
            fail("the packaged app is missing at " + jar + "; run ./mvnw verify (the ITs run after package)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(JAVA.toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** What one CLI run printed and how it exited. */
    record CliResult(int exitCode, List<String> out, List<String> err) {

        String stdout() {
            return String.join("\n", out);
        }

        /** Stdout parsed as JSON; asserts the CLI printed exactly one document (a {@code --json} run). */
        JsonNode json() throws IOException {
            assertThat(out).as("one JSON document on stdout: %s", this).hasSize(1);
            return Json.MAPPER.readTree(out.get(0));
        }

        /** The CLI's own error lines, without log lines. */
        List<String> errors() {
            return err.stream().filter(l -> l.startsWith("acp: ")).toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + String.join("\n", out) + "\n--- stderr\n" + String.join("\n", err);
        }
    }

    /**
     * Runs the CLI to completion, bounded by {@code timeout}; stdout and stderr go to files so a
     * chatty process can never block on a full pipe.
     */
    static CliResult cli(Path workDir, List<String> jvmOptions, Duration timeout, String... args) throws IOException, InterruptedException {
        return cli(workDir, Map.of(), jvmOptions, timeout, args);
    }

    /** {@link #cli(Path, List, Duration, String...)} with extra environment variables. */
    static CliResult cli(Path workDir, Map<String, String> env, List<String> jvmOptions, Duration timeout, String... args)
            throws IOException, InterruptedException {
        return run(workDir, command(jvmOptions, args), env, timeout, args);
    }

    /** {@link #cli(Path, List, Duration, String...)} from {@code jar} (quarkus-run.jar or acp-client.jar). */
    static CliResult cli(Path jar, Path workDir, List<String> jvmOptions, Duration timeout, String... args)
            throws IOException, InterruptedException {
        return run(workDir, command(jar, jvmOptions, args), Map.of(), timeout, args);
    }

    private static CliResult run(Path workDir, List<String> command, Map<String, String> env, Duration timeout, String... args)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(workDir, "cli-", ".out");
        Path err = Files.createTempFile(workDir, "cli-", ".err");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("ACP_API_KEY");
        builder.environment().putAll(env);
        Process p = builder
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("acp " + String.join(" ", args) + " did not finish within " + timeout + "; its threads (stdout, after SIGQUIT):\n"
                        + threadDump(p, out) + "\n--- stderr:\n" + Files.readString(err));
            }
            return new CliResult(p.exitValue(), Files.readAllLines(out, StandardCharsets.UTF_8), Files.readAllLines(err, StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * What a CLI that did not finish was doing: SIGQUIT makes its JVM print every thread's stack to
     * its stdout (the file {@code out}) and go on; waits up to 10 s for the dump's last section.
     */
    private static String threadDump(Process p, Path out) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-QUIT", Long.toString(p.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        while (p.isAlive() && !printed.contains("JNI global refs") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            printed = Files.readString(out, StandardCharsets.UTF_8);
        }
        return printed;
    }
}
