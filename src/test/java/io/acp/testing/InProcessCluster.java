package io.acp.testing;

import io.acp.cluster.Cdb;
import io.acp.cluster.journal.Journal;
import io.acp.cluster.sync.ClusterSync;
import io.acp.cluster.sync.SyncEnvironment;
import io.acp.cluster.sync.StateDigest;
import io.acp.cluster.sync.SyncSettings;
import io.acp.model.HybridClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import io.acp.security.PkiFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * N real nodes in one JVM: each its own in-memory CDB, data dir and {@link ClusterSync}, talking
 * over loopback multicast ({@code lo}, a random group in 239.0.0.0/8 and a random port per cluster),
 * each behind its own seeded {@link FaultyTransport}. {@link #close()} stops every node and removes
 * the data dirs.
 */
public final class InProcessCluster implements AutoCloseable {

    /** One node of the cluster; its CDB and sync are replaced when it is restarted. */
    public static final class Node {
        public final String id;
        public final Path dataDir;
        private final SyncSettings settings;
        private Cdb cdb;
        private ClusterSync sync;
        private FaultyTransport faults;

        Node(String id, Path dataDir, SyncSettings settings) {
            this.id = id;
            this.dataDir = dataDir;
            this.settings = settings;
        }

        public Cdb cdb() {
            return cdb;
        }

        public ClusterSync sync() {
            return sync;
        }

        public FaultyTransport faults() {
            return faults;
        }

        public boolean running() {
            return sync != null && sync.running();
        }
    }

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final SyncSettings settings;
    private final Path root;
    private final PkiFiles ca;
    private boolean journaled;
    private final List<Node> nodes = new ArrayList<>();
    private long seed;

    private InProcessCluster(SyncSettings settings, Path root, long seed) {
        this.settings = settings;
        this.root = root;
        this.seed = seed;
        this.ca = TestPki.newCluster(root.resolve("ca"), settings.clusterId());
    }

    /** The cluster CA's PKI directory (it holds the CA key): issue more node certificates with it. */
    public PkiFiles ca() {
        return ca;
    }

    /** Settings for tests: a fresh group and port, short timers (with headroom for a busy 2-core machine). */
    public static SyncSettings testSettings(String clusterId, String secret) {
        return SyncSettings.defaults(clusterId, secret, Ports.randomGroup(), Ports.freeUdpPort())
                .withTimings(Duration.ofMillis(100), Duration.ofMillis(1000), Duration.ofMillis(2500), Duration.ofMillis(150));
    }

    public static InProcessCluster start(int n) {
        return start(n, SyncSettings.Mode.MULTICAST);
    }

    /** Nodes {@code n1..n<n>} on loopback multicast, or each on its own 127.0.0.1 port with the others as peers. */
    public static InProcessCluster start(int n, SyncSettings.Mode mode) {
        return start(n, testSettings("test", "in-process cluster secret 0123456789"), mode, "n", 42);
    }

    /**
     * Nodes whose CDBs keep objects in a real journal under their data dir: a restarted node reloads
     * its journal and then catches up on the rest.
     */
    public static InProcessCluster startJournaled(int n) {
        return start(n, testSettings("test", "in-process cluster secret 0123456789"), SyncSettings.Mode.MULTICAST, "n", 42, true);
    }

    public static InProcessCluster start(int n, SyncSettings settings, String prefix, long seed) {
        return start(n, settings, SyncSettings.Mode.MULTICAST, prefix, seed);
    }

    /** Starts nodes {@code <prefix>1..<prefix>n} with the given settings; fault layers seeded from {@code seed}. */
    public static InProcessCluster start(int n, SyncSettings settings, SyncSettings.Mode mode, String prefix, long seed) {
        return start(n, settings, mode, prefix, seed, false);
    }

    private static InProcessCluster start(int n, SyncSettings settings, SyncSettings.Mode mode, String prefix, long seed, boolean journaled) {
        InProcessCluster c;
        try {
            c = new InProcessCluster(settings, Files.createTempDirectory("acp-cluster-"), seed);
            c.journaled = journaled;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> peers = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            peers.add("127.0.0.1:" + Ports.freeUdpPort());
        }
        try {
            for (int i = 1; i <= n; i++) {
                SyncSettings own = mode == SyncSettings.Mode.UNICAST ? settings.withUnicast(peers.get(i - 1), peers) : settings;
                Node node = new Node(prefix + i, c.root.resolve(prefix + i), own);
                c.nodes.add(node);
                c.startNode(node);
            }
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private java.util.function.Function<String, java.util.concurrent.Executor> sealers;

    private void startNode(Node node) {
        startNode(node, f -> { });
    }

    /** @param beforeStart given the node's fault layer before its transport starts, so no datagram escapes a fault set there */
    private void startNode(Node node, java.util.function.Consumer<FaultyTransport> beforeStart) {
        TestPki.provision(ca, node.dataDir, node.id);
        if (journaled) {
            node.cdb = new Cdb(node.id, new HybridClock(), Journal.open(node.dataDir.resolve("journal"), false, 1 << 24), 60);
            node.cdb.recover();
        } else {
            node.cdb = Cdb.inMemory(node.id);
        }
        long nodeSeed = ++seed;
        // The fault plan and anti-entropy's choice of peers both follow the seed.
        node.sync = new ClusterSync(node.cdb, node.settings, node.id, node.dataDir, t -> {
            node.faults = new FaultyTransport(t, nodeSeed);
            beforeStart.accept(node.faults);
            return node.faults;
        },
                environment(nodeSeed));
        node.sync.start().await().atMost(START_TIMEOUT);
    }

    public Node node(int oneBased) {
        return nodes.get(oneBased - 1);
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public List<Node> runningNodes() {
        return nodes.stream().filter(Node::running).collect(Collectors.toList());
    }

    public SyncSettings settings() {
        return settings;
    }

    /** Stops a node's sync and closes its CDB (an in-memory node loses its state; a journaled one keeps its objects). */
    public void stop(int oneBased) {
        Node n = node(oneBased);
        n.sync.stop().await().atMost(START_TIMEOUT);
        n.cdb.close();
    }

    /** Starts a stopped node again: same data dir (so a new epoch), a new CDB (empty, or reloaded from its journal). */
    public void restart(int oneBased) {
        startNode(node(oneBased));
    }

    /** The real environment, seeded for the node, with the sealers a test chose if any. */
    private SyncEnvironment environment(long nodeSeed) {
        SyncEnvironment env = SyncEnvironment.system().withRandom(SeededRandom.of(nodeSeed));
        return sealers == null ? env : env.withSealers(sealers);
    }

    /** Where nodes started from now on sign their heartbeats' seals (null: the real sealer thread). */
    public void sealWith(java.util.function.Function<String, java.util.concurrent.Executor> sealers) {
        this.sealers = sealers;
    }

    /** {@link #restart(int)} with faults set on the node's fault layer before it hears or sends anything. */
    public void restart(int oneBased, java.util.function.Consumer<FaultyTransport> faults) {
        startNode(node(oneBased), faults);
    }

    /** Starts one more node (multicast clusters only: a peer list is fixed at start). */
    public Node join() {
        if (settings.mode() != SyncSettings.Mode.MULTICAST) {
            throw new IllegalStateException("join() needs a multicast cluster");
        }
        String prefix = nodes.get(0).id.replaceAll("[0-9]+$", "");
        Node node = new Node(prefix + (nodes.size() + 1), root.resolve(prefix + (nodes.size() + 1)), settings);
        nodes.add(node);
        startNode(node);
        return node;
    }

    /** Splits the running nodes into two sides that hear nothing of each other; {@link #heal()} ends it. */
    public void partition(Set<String> side) {
        for (Node n : runningNodes()) {
            Set<String> other = nodes.stream().map(x -> x.id).filter(id -> side.contains(id) != side.contains(n.id)).collect(Collectors.toSet());
            n.faults.blockFrom(other);
        }
    }

    public void heal() {
        runningNodes().forEach(n -> n.faults.blockFrom(Set.of()));
    }

    public void faults(FaultyTransport.FaultPlan plan) {
        runningNodes().forEach(n -> n.faults.plan(plan));
    }

    /** True when every running node holds the same digest. */
    public boolean converged() {
        Set<StateDigest> digests = runningNodes().stream().map(n -> n.sync.digest()).collect(Collectors.toSet());
        return digests.size() == 1;
    }

    public void awaitConverged(Duration atMost) {
        Eventually.await(atMost, this::converged, this::describe);
    }

    public String describe() {
        return runningNodes().stream().map(n -> n.id + "=" + n.sync.digest() + " " + n.sync.stats())
                .collect(Collectors.joining("\n  ", "digests differ:\n  ", ""));
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            try {
                if (n.running()) {
                    n.sync.stop().await().atMost(START_TIMEOUT);
                }
                if (n.cdb != null) {
                    n.cdb.close();
                }
            } catch (RuntimeException e) {
                // keep closing the others
            }
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
