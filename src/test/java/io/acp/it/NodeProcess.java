package io.acp.it;

import static org.assertj.core.api.Assertions.fail;

import io.acp.api.client.ApiClient;
import io.acp.api.client.ApiEndpoint;
import io.acp.security.PkiFiles;
import io.acp.testing.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real node: {@code java -jar quarkus-run.jar node run} as its own process, with its own data
 * directory, socket and free TCP port under a test directory. Its stdout and stderr go to a log
 * file per start, so a test can read what it logged. Restartable on the same data directory.
 * Optionally launched through a command prefix (e.g. {@code ip netns exec acp-n1}, which execs
 * java in place, so the process is the JVM itself) and with extra {@code -D} options.
 */
final class NodeProcess implements AutoCloseable {

    static final Duration START_LIMIT = Duration.ofSeconds(60);
    private static final Pattern READY_PORT = Pattern.compile(" and tcp 127\\.0\\.0\\.1:(\\d+),");

    private final String nodeId;
    private final Path dir;
    private final Path dataDir;
    private final Path socket;
    private final List<String> launchPrefix;
    private final List<String> extraOptions;
    private int port;
    private Process process;
    private Path log;
    private int starts;

    private NodeProcess(String nodeId, Path dir, List<String> launchPrefix, List<String> extraOptions) {
        this.nodeId = nodeId;
        this.launchPrefix = List.copyOf(launchPrefix);
        this.extraOptions = List.copyOf(extraOptions);
        this.dir = dir;
        this.dataDir = dir.resolve("data");
        this.socket = dir.resolve("api.sock");
    }

    /** One test CA for every node this JVM starts; each test's cluster is apart by its own secret and group. */
    private static PkiFiles sharedCa;

    /**
     * Cluster sync seals every entry with the node's own key, certified by the cluster CA: a node
     * started with sync and a configured secret but no PKI of its own (no {@code acp cluster init}
     * or join) gets a node key and certificate from the test CA, again after its disk was wiped.
     * It also gets the CA key, so a test can admit further nodes through it ({@code acp cluster add-node}).
     */
    private void provisionNodeKeyIfSyncing() throws IOException {
        PkiFiles own = PkiFiles.in(dataDir);
        if (!extraOptions.contains("-Dacp.cluster.sync.enabled=true") || Files.exists(own.nodeCertificate())) {
            return;
        }
        TestPki.provision(sharedCa(), dataDir, nodeId);
        Files.copy(sharedCa().caKey(), own.caKey());
        Files.setPosixFilePermissions(own.caKey(), java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    private static synchronized PkiFiles sharedCa() throws IOException {
        if (sharedCa == null) {
            sharedCa = TestPki.newCluster(Files.createTempDirectory("acp-it-ca-"), "acp-it");
        }
        return sharedCa;
    }

    /** Starts a node in {@code dir} and waits for its "listening" line. */
    static NodeProcess start(String nodeId, Path dir) throws IOException, InterruptedException {
        return start(nodeId, dir, List.of(), List.of());
    }

    /**
     * Starts a node whose command line begins with {@code launchPrefix} and whose JVM gets
     * {@code extraOptions} after the node's own (so they may override them); both apply to restarts.
     */
    static NodeProcess start(String nodeId, Path dir, List<String> launchPrefix, List<String> extraOptions)
            throws IOException, InterruptedException {
        NodeProcess node = new NodeProcess(nodeId, dir, launchPrefix, extraOptions);
        node.restart();
        return node;
    }

    /**
     * Starts (again) on the same data directory and socket, on a TCP port the node picks (port 0,
     * so no race for a free one); waits for its "listening" line and reads the port from it.
     */
    void restart() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("node " + nodeId + " is still running");
        }
        starts++;
        log = dir.resolve("node-" + starts + ".log");
        provisionNodeKeyIfSyncing();
        List<String> options = new ArrayList<>(List.of(
                "-Dacp.node.id=" + nodeId,
                "-Dacp.node.data-dir=" + dataDir,
                "-Dacp.api.socket=" + socket,
                "-Dacp.api.port=0",
                "-Dacp.agent.port=0",
                // The join port has a fixed default; parallel nodes on one machine must not collide on it.
                "-Dacp.agent.join-port=0",
                "-Dacp.agent.host=127.0.0.1"));
        options.addAll(extraOptions);
        List<String> command = new ArrayList<>(launchPrefix);
        command.addAll(AcpApp.command(options, "node", "run"));
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        try {
            String ready = awaitLogLine("node " + nodeId + " listening on", START_LIMIT);
            Matcher m = READY_PORT.matcher(ready);
            if (!m.find()) {
                fail("no TCP port in the node's ready line: " + ready);
            }
            port = Integer.parseInt(m.group(1));
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            process.destroyForcibly(); // a node that never became ready must not outlive the test
            throw e;
        }
    }

    /** Waits until the log has a line containing {@code text}; fails early if the node exits. */
    String awaitLogLine(String text, Duration limit) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            for (String line : logLines()) {
                if (line.contains(text)) {
                    return line;
                }
            }
            if (!process.isAlive()) {
                fail("node " + nodeId + " exited with " + process.exitValue() + " before logging '" + text + "':\n" + String.join("\n", logLines()));
            }
            Thread.sleep(100);
        }
        // A start that hangs: its threads (SIGQUIT, appended to the log) say where, e.g. which service's start waits on what.
        fail("node " + nodeId + " did not log '" + text + "' within " + limit + " (its log, then its threads):\n" + String.join("\n", threadDump()));
        return null;
    }

    List<String> logLines() throws IOException {
        return Files.readAllLines(log, StandardCharsets.UTF_8);
    }

    /**
     * What this node says about {@code id}, for a failure message: the last lines of its log that
     * name it, and the task records (every mutating request it ran or routed) that name it, so a
     * failure says who changed what and in which order.
     */
    String storyOf(String id) {
        StringBuilder out = new StringBuilder("--- node " + nodeId + ": log lines naming " + id + "\n");
        try {
            List<String> about = logLines().stream().filter(l -> l.contains(id)).toList();
            about.subList(Math.max(0, about.size() - 60), about.size()).forEach(l -> out.append(l).append('\n'));
        } catch (IOException e) {
            out.append("(log unreadable: ").append(e.getMessage()).append(")\n");
        }
        out.append("--- node ").append(nodeId).append(": tasks naming ").append(id).append('\n');
        try (ApiClient api = client()) {
            for (com.fasterxml.jackson.databind.JsonNode task : api.call("cluster", "list", io.acp.model.Json.object().put("type", "task"))) {
                if (task.toString().contains(id)) {
                    out.append(task).append('\n');
                }
            }
        } catch (Exception e) {
            out.append("(tasks unreadable: ").append(e.getMessage()).append(")\n");
        }
        return out.toString();
    }

    /** kill -9: no shutdown hook, no clean stop. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGSTOP: the node keeps its sockets but says nothing, as a hung node does; {@link #thaw} resumes it. */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze}. */
    void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            fail("kill -" + name + " of node " + nodeId + " (pid " + process.pid() + ") failed");
        }
    }

    /** SIGTERM, then waits for the exit; returns the exit code. */
    int terminate(Duration limit) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail("node " + nodeId + " did not exit within " + limit + " of SIGTERM");
        }
        return process.exitValue();
    }

    /** The log of the current start. */
    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    String id() {
        return nodeId;
    }

    Path dataDir() {
        return dataDir;
    }

    /** Runs {@code acp ARGS --socket <this node's socket>} as its own process, from {@code workDir}. */
    AcpApp.CliResult cli(Path workDir, Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--socket", socket.toString()));
        return AcpApp.cli(workDir, List.of("-Dacp.node.data-dir=" + dataDir), timeout, all.toArray(String[]::new));
    }

    /** {@link #cli} that must succeed: fails the test with the command, its exit code and its output otherwise. */
    AcpApp.CliResult cliOk(Path workDir, Duration timeout, String... args) throws IOException, InterruptedException {
        AcpApp.CliResult r;
        try {
            r = cli(workDir, timeout, args);
        } catch (AssertionError notFinished) {
            if (notFinished.getMessage() != null && notFinished.getMessage().contains("did not finish within") && alive()) {
                // The CLI itself hung (its own threads are in the message): the node's side of the story too.
                throw new AssertionError(notFinished.getMessage() + "\n--- node " + nodeId + "'s threads and log:\n"
                        + String.join("\n", threadDump()), notFinished);
            }
            throw notFinished;
        }
        if (r.exitCode() != 0 && String.join("\n", r.err()).contains("no answer from the node") && alive()) {
            // The node took the request and said nothing: what its threads were doing is the story.
            org.assertj.core.api.Assertions.fail("acp %s: %s%n--- node %s's threads and log after the unanswered request:%n%s", String.join(" ", args), r,
                    nodeId, String.join("\n", threadDump()));
        }
        org.assertj.core.api.Assertions.assertThat(r.exitCode()).as("acp %s: %s", String.join(" ", args), r).isZero();
        return r;
    }

    /** The node's log from its start with a thread dump appended (SIGQUIT: the JVM prints it to its stdout and goes on). */
    List<String> threadDump() throws IOException, InterruptedException {
        int before = logLines().size();
        signal("QUIT");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> lines = logLines();
        while (System.nanoTime() < deadline && lines.stream().skip(before).noneMatch(l -> l.startsWith("JNI global refs"))) {
            Thread.sleep(100);
            lines = logLines();
        }
        return lines;
    }

    Path socket() {
        return socket;
    }

    int port() {
        return port;
    }

    Path journal() {
        return dataDir.resolve("journal").resolve("journal");
    }

    String adminKey() throws IOException {
        return Files.readString(dataDir.resolve("admin.key"), StandardCharsets.UTF_8).trim();
    }

    /** A client on the node's socket, with the admin key. */
    ApiClient client() throws IOException {
        return ApiClient.connect(new ApiEndpoint.Unix(socket), adminKey());
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Stops each node that was started, in the order given (the newest first, as a test tears down). */
    static void closeAll(NodeProcess... nodes) throws InterruptedException {
        for (NodeProcess n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }
}
