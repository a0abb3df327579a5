package io.acp.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * N real nodes, each in its own network namespace of the lab that {@code scripts/netns-cluster}
 * builds (acp-n1..N on the bridge acpbr0, 10.200.0.i/24), syncing their CDBs by multicast on
 * their eth0. The host reaches each node's API through its Unix socket: a filesystem object, so
 * it is reachable from outside the namespace. Faults are the script's nftables verbs.
 * {@link #close()} kills every node and takes the lab down; a shutdown hook does the same if the
 * test JVM ends without closing.
 */
final class NetnsLab implements AutoCloseable {

    static final Path SCRIPT = Path.of(System.getProperty("acp.netns.script", "scripts/netns-cluster")).toAbsolutePath();
    private static final Duration SCRIPT_LIMIT = Duration.ofSeconds(120); // may apt-get nftables first
    static final String SECRET = "netns-lab-test-secret-not-for-production";

    /** Failure-detector and repair timings: short, with headroom for 2 shared cores. */
    static final Duration HEARTBEAT = Duration.ofMillis(200);
    static final Duration SUSPECT_AFTER = Duration.ofMillis(1500);
    static final Duration DEAD_AFTER = Duration.ofMillis(3000);
    static final Duration ANTI_ENTROPY = Duration.ofMillis(300);

    private final List<NodeProcess> nodes = new ArrayList<>();
    private final Thread downOnExit = new Thread(NetnsLab::downQuietly, "netns-lab-down");

    private final List<String> extraOptions;

    private NetnsLab(List<String> extraOptions) {
        this.extraOptions = List.copyOf(extraOptions);
    }

    /** Builds a fresh lab of {@code n} namespaces (removing any leftovers first) and starts a node in each. */
    static NetnsLab start(int n, Path dir) throws Exception {
        return start(n, dir, List.of());
    }

    /** As {@link #start(int, Path)}, every node's JVM also getting {@code extraOptions} (e.g. the services it runs). */
    static NetnsLab start(int n, Path dir, List<String> extraOptions) throws Exception {
        NetnsLab lab = new NetnsLab(extraOptions);
        Runtime.getRuntime().addShutdownHook(lab.downOnExit);
        try {
            script("down");
            script("up", Integer.toString(n));
            lab.startNodes(n, dir);
            return lab;
        } catch (Throwable t) {
            lab.close();
            throw t;
        }
    }

    private void startNodes(int n, Path dir) throws Exception {
        ExecutorService starters = Executors.newFixedThreadPool(n);
        try {
            List<Future<NodeProcess>> started = new ArrayList<>();
            for (int i = 1; i <= n; i++) {
                String id = "n" + i;
                Path nodeDir = Files.createDirectories(dir.resolve(id));
                started.add(starters.submit(() -> startNode(id, nodeDir, extraOptions)));
            }
            Exception failure = null;
            for (Future<NodeProcess> f : started) {
                try {
                    nodes.add(f.get(NodeProcess.START_LIMIT.toSeconds() * 2, TimeUnit.SECONDS));
                } catch (Exception e) {
                    failure = failure == null ? e : failure; // keep collecting: close() must see every started node
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            starters.shutdownNow();
        }
    }

    private static NodeProcess startNode(String id, Path nodeDir, List<String> extraOptions) throws IOException, InterruptedException {
        List<String> options = new ArrayList<>(List.of(
                "-Xmx192m",
                "-Dacp.cluster.sync.enabled=true",
                "-Dacp.cluster.sync.mode=multicast",
                "-Dacp.cluster.sync.multicast-interface=eth0",
                "-Dacp.cluster.sync.secret=" + SECRET,
                "-Dacp.cluster.sync.heartbeat-interval=" + HEARTBEAT.toMillis() + "ms",
                "-Dacp.cluster.sync.suspect-after=" + SUSPECT_AFTER.toMillis() + "ms",
                "-Dacp.cluster.sync.dead-after=" + DEAD_AFTER.toMillis() + "ms",
                "-Dacp.cluster.sync.anti-entropy-interval=" + ANTI_ENTROPY.toMillis() + "ms"));
        options.addAll(extraOptions);
        NodeProcess node = NodeProcess.start(id, nodeDir, List.of("ip", "netns", "exec", namespace(id)), options);
        try {
            awaitSync(node);
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            node.close();
            throw e;
        }
        return node;
    }

    /** Waits for the node's "cluster sync ... running" line: until then it neither sends nor hears. */
    static void awaitSync(NodeProcess node) throws IOException, InterruptedException {
        node.awaitLogLine("cluster sync of node " + node.id() + " running on", NodeProcess.START_LIMIT);
    }

    static String namespace(String nodeId) {
        return "acp-" + nodeId;
    }

    List<NodeProcess> nodes() {
        return nodes;
    }

    NodeProcess node(int i) {
        return nodes.get(i - 1);
    }

    void loss(NodeProcess node, int percent) throws IOException, InterruptedException {
        script("loss", namespace(node.id()), Integer.toString(percent));
    }

    void dup(NodeProcess node, int percent) throws IOException, InterruptedException {
        script("dup", namespace(node.id()), Integer.toString(percent));
    }

    void reorder(NodeProcess node, int percent) throws IOException, InterruptedException {
        script("reorder", namespace(node.id()), Integer.toString(percent));
    }

    /** Removes every fault of one node's namespace. */
    void clear(NodeProcess node) throws IOException, InterruptedException {
        script("clear", namespace(node.id()));
    }

    void partition(NodeProcess node) throws IOException, InterruptedException {
        script("partition", namespace(node.id()));
    }

    void heal(NodeProcess node) throws IOException, InterruptedException {
        script("heal", namespace(node.id()));
    }

    /** Removes every fault of every namespace. */
    void clearAll() throws IOException, InterruptedException {
        for (NodeProcess node : nodes) {
            script("clear", namespace(node.id()));
        }
    }

    /** The nftables ruleset of a node's namespace (to check a fault's counters moved). */
    String ruleset(NodeProcess node) throws IOException, InterruptedException {
        return run(List.of("ip", "netns", "exec", namespace(node.id()), "nft", "list", "ruleset"));
    }

    static String script(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(SCRIPT.toString());
        cmd.addAll(List.of(args));
        return run(cmd);
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("netns-lab-", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(SCRIPT_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " did not finish within " + SCRIPT_LIMIT);
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                fail(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void downQuietly() {
        try {
            script("down");
        } catch (Throwable t) {
            System.err.println("netns lab: down failed: " + t.getMessage());
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (NodeProcess node : nodes) {
            node.close();
        }
        downQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(downOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or ran: the lab is going down either way
        }
    }
}
