package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.api.client.WatchStream;
import io.acp.model.EntryJson;
import io.acp.model.Json;
import io.acp.model.Version;
import io.acp.protocol.AcpException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster sync between real node processes, each in its own network namespace
 * ({@code scripts/netns-cluster}), under the faults of /work/shared/design/faults.md made with
 * nftables (this kernel has no {@code tc netem}). One lab of three nodes serves every test; each
 * test clears its faults and leaves all nodes running. Oracles: every acknowledged write is on
 * every node, all nodes' object sets become identical (ids, versions, specs), and versions never
 * go backwards. Convergence times are printed ("netns convergence: ...") for docs/benchmarks.md;
 * the assertions bound them only by generous deadlines.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NetnsClusterIT {

    /** 3 by default; {@code -Dacp.netns.nodes=5} for the benchmark figures. */
    private static final int NODES = Integer.getInteger("acp.netns.nodes", 3);
    private static final Duration CONVERGE_LIMIT = Duration.ofSeconds(30);
    private static final Pattern LOADED = Pattern.compile("CDB of node (\\S+) loaded: (\\d+) journal records");

    @TempDir
    static Path dir;
    private static NetnsLab lab;
    private static final List<String> figures = new ArrayList<>();

    @BeforeAll
    static void startLab() throws Exception {
        assertThat(NODES).as("acp.netns.nodes").isBetween(3, 5);
        lab = NetnsLab.start(NODES, dir);
    }

    @AfterAll
    static void stopLab() throws Exception {
        figures.forEach(f -> System.out.println("netns convergence: " + f));
        if (lab != null) {
            lab.close();
        }
    }

    @BeforeEach
    @AfterEach
    void noFaultsAndEveryNodeUp() throws Exception {
        lab.clearAll();
        for (NodeProcess node : lab.nodes()) {
            if (!node.alive()) {
                node.restart(); // a test that failed mid-crash leaves the next one a whole cluster
                NetnsLab.awaitSync(node);
            }
        }
    }

    /** (a) Writes on every node at once: all nodes end with the same objects. */
    @Test
    @Order(1)
    void writesOnEveryNodeConverge() throws Exception {
        List<Writer> writers = new ArrayList<>();
        for (NodeProcess node : lab.nodes()) {
            writers.add(Writer.start(node, "a-" + node.id() + "-", 40, Duration.ofMillis(10)));
        }
        Set<String> acked = Writer.joinAll(writers);
        assertThat(acked).hasSize(40 * NODES);
        long ms = Convergence.await(lab.nodes(), acked, CONVERGE_LIMIT);
        record("(a) %d writes on %d nodes at once: identical on all %d ms after the last acknowledgement", acked.size(), NODES, ms);
    }

    /** (b) 20 % of arriving datagrams dropped on two of three nodes while all write; then no loss. */
    @Test
    @Order(2)
    void acknowledgedWritesSurviveTwentyPercentLoss() throws Exception {
        NodeProcess lossy1 = lab.node(1);
        NodeProcess lossy2 = lab.node(2);
        lab.loss(lossy1, 20);
        lab.loss(lossy2, 20);
        List<Writer> writers = new ArrayList<>();
        for (NodeProcess node : lab.nodes()) {
            writers.add(Writer.start(node, "b-" + node.id() + "-", 120, Duration.ofMillis(25)));
        }
        Set<String> acked = Writer.joinAll(writers);
        long lost1 = dropped(lab.ruleset(lossy1));
        long lost2 = dropped(lab.ruleset(lossy2));
        assertThat(lost1).as("datagrams the loss rule dropped on n1").isPositive();
        assertThat(lost2).as("datagrams the loss rule dropped on n2").isPositive();
        lab.clear(lossy1);
        lab.clear(lossy2);
        long ms = Convergence.await(lab.nodes(), acked, CONVERGE_LIMIT);
        record("(b) 20%% loss on 2 of %d nodes during %d writes (%d + %d datagrams dropped): all on every node %d ms after the loss stopped (target 2000 ms)",
                NODES, acked.size(), lost1, lost2, ms);
    }

    /** (c) One node cut off both ways; both sides write; membership marks it dead, then alive after healing. */
    @Test
    @Order(3)
    void aPartitionedNodeCatchesUpAndIsAliveAgain() throws Exception {
        NodeProcess cut = lab.node(3);
        NodeProcess side = lab.node(1);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        lab.partition(cut);
        long partitionedAt = System.nanoTime();

        List<Writer> writers = List.of(
                Writer.start(side, "c-" + side.id() + "-", 30, Duration.ofMillis(20)),
                Writer.start(lab.node(2), "c-n2-", 30, Duration.ofMillis(20)),
                Writer.start(cut, "c-" + cut.id() + "-", 30, Duration.ofMillis(20)));
        Set<String> acked = Writer.joinAll(writers);

        Convergence.until(CONVERGE_LIMIT, () -> {
            String view = Membership.of(side, cut.id());
            seen.add(view);
            return "dead".equals(view) && "dead".equals(Membership.of(cut, side.id()));
        }, () -> side.id() + " to see " + cut.id() + " dead and the reverse; states seen: " + seen);
        record("(c) partitioned node seen dead %d ms after the cut (suspect after %d ms, dead after %d ms configured)",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - partitionedAt), NetnsLab.SUSPECT_AFTER.toMillis(), NetnsLab.DEAD_AFTER.toMillis());
        assertThat(seen).as("membership of %s in %s's view during the cut", cut.id(), side.id()).contains("suspect", "dead");
        assertThat(Convergence.objects(side).keySet()).as("the cut node's writes did not cross the partition")
                .noneMatch(id -> id.startsWith("c-" + cut.id() + "-"));

        lab.heal(cut);
        long healedAt = System.nanoTime();
        long ms = Convergence.await(lab.nodes(), acked, CONVERGE_LIMIT);
        Convergence.until(CONVERGE_LIMIT, () -> everyViewAlive(lab.nodes()), () -> "every node to see every other alive again");
        long aliveMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - healedAt);
        record("(c) partition of 1 of %d nodes healed: identical on all %d ms after healing (target 3000 ms); every view alive after %d ms",
                NODES, ms, aliveMs);
    }

    /** (d) kill -9 one node, write elsewhere, restart it on the same data dir: journal reloaded, then caught up. */
    @Test
    @Order(4)
    void aKilledNodeReloadsItsJournalAndCatchesUp() throws Exception {
        NodeProcess victim = lab.node(2);
        Set<String> before = Writer.joinAll(List.of(Writer.start(victim, "d-pre-", 10, Duration.ZERO)));
        Convergence.await(lab.nodes(), before, CONVERGE_LIMIT);
        int objectsBefore = Convergence.objects(victim).size();
        victim.kill();

        Set<String> acked = new LinkedHashSet<>(before);
        acked.addAll(Writer.joinAll(List.of(
                Writer.start(lab.node(1), "d-n1-", 30, Duration.ofMillis(10)),
                Writer.start(lab.node(3), "d-n3-", 30, Duration.ofMillis(10)))));

        victim.restart();
        NetnsLab.awaitSync(victim);
        long restartedAt = System.nanoTime();
        String loaded = victim.awaitLogLine("CDB of node " + victim.id() + " loaded", Duration.ofSeconds(5));
        Matcher m = LOADED.matcher(loaded);
        assertThat(m.find()).as("journal line: %s", loaded).isTrue();
        assertThat(Long.parseLong(m.group(2))).as("journal records reloaded").isGreaterThanOrEqualTo(objectsBefore);

        long ms = Convergence.await(lab.nodes(), acked, CONVERGE_LIMIT);
        long total = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartedAt);
        record("(d) node killed (-9) and restarted: caught up with %d writes made while down %d ms after its sync started (poll %d ms)",
                acked.size() - before.size(), total, ms);
    }

    /**
     * (e) 30 % of every node's outgoing frames duplicated by the netdev egress dup rule, and 30 %
     * of n2's held back in a slow HTB class (reordering), while all nodes update the same objects:
     * a watch on each node sees every object's versions strictly rising (nothing applied twice,
     * nothing going back), and the duplicates were dropped as replays.
     */
    @Test
    @Order(5)
    void duplicatedAndReorderedDatagramsAreAppliedOnceInOrder() throws Exception {
        List<VersionWatch> watches = new ArrayList<>();
        for (NodeProcess node : lab.nodes()) {
            watches.add(VersionWatch.open(node, "e-end"));
        }
        long replayedBefore = replayedSum();
        for (NodeProcess node : lab.nodes()) {
            lab.dup(node, 30);
        }
        lab.reorder(lab.node(2), 30);
        List<Writer> writers = new ArrayList<>();
        for (NodeProcess node : lab.nodes()) {
            writers.add(Writer.updating(node, "e-", 8, 10, Duration.ofMillis(15)));
        }
        Set<String> acked = Writer.joinAll(writers);
        Convergence.until(CONVERGE_LIMIT, () -> replayedSum() > replayedBefore, () -> "sync.dropped.replayed to rise");
        long replayed = replayedSum() - replayedBefore;
        for (NodeProcess node : lab.nodes()) {
            assertThat(dropped(lab.ruleset(node))).as("frames the dup (and reorder) rules matched on %s", node.id()).isPositive();
        }
        assertThat(lab.ruleset(lab.node(2))).as("n2's ruleset").containsPattern("priority set 1:20 counter packets [1-9]");
        lab.clearAll();
        long ms = Convergence.await(lab.nodes(), acked, CONVERGE_LIMIT);

        try (ApiClient api = lab.node(1).client()) {
            api.call("cluster", "put", Json.object().put("type", "alarm").put("id", "e-end").set("spec", Json.object()));
        }
        for (VersionWatch watch : watches) {
            watch.awaitEnd(CONVERGE_LIMIT);
            assertThat(watch.backwards()).as("versions that did not rise on %s", watch.node()).isEmpty();
            assertThat(watch.events()).as("events on %s", watch.node()).isPositive();
        }
        record("(e) 30%% duplication on all %d nodes, 30%% reordering on n2: %d duplicates dropped as replays, no version applied twice"
                + " or going back; identical %d ms after the faults stopped", NODES, replayed, ms);
    }

    private static boolean everyViewAlive(List<NodeProcess> nodes) {
        for (NodeProcess viewer : nodes) {
            for (NodeProcess peer : nodes) {
                if (viewer != peer && !"alive".equals(Membership.of(viewer, peer.id()))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The sum of sync.dropped.replayed over all nodes' own sync stats. */
    private static long replayedSum() {
        long sum = 0;
        for (NodeProcess node : lab.nodes()) {
            try (ApiClient api = node.client()) {
                for (JsonNode e : api.call("cluster", "stats", Json.object().put("type", "service").put("id", node.id() + ":cluster"))) {
                    sum += e.path("values").path("sync.dropped.replayed").asLong();
                }
            } catch (Exception e) {
                throw new AssertionError("stats of " + node.id() + ": " + e.getMessage(), e);
            }
        }
        return sum;
    }

    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+)");

    /** Packets counted by the fault rules of a ruleset. */
    private static long dropped(String ruleset) {
        long sum = 0;
        Matcher m = COUNTER.matcher(ruleset);
        while (m.find()) {
            sum += Long.parseLong(m.group(1));
        }
        return sum;
    }

    private static void record(String format, Object... args) {
        String line = String.format(format, args);
        figures.add(line);
        System.out.println("netns convergence: " + line);
    }

    /** A node's view of a peer: the membership in the meta it reports for node/peer, or "none". */
    static final class Membership {

        static String of(NodeProcess viewer, String peer) {
            try (ApiClient api = viewer.client()) {
                for (JsonNode e : api.call("cluster", "meta", Json.object().put("type", "node").put("id", peer))) {
                    if (viewer.id().equals(e.path("node").asText())) {
                        return e.path("values").path("membership").asText("none");
                    }
                }
                return "none";
            } catch (AcpException | java.io.IOException e) {
                return "unreachable: " + e.getMessage();
            }
        }
    }

    /** Watches one node's alarm objects until a marker id arrives, checking each id's versions rise. */
    static final class VersionWatch {

        private final NodeProcess node;
        private final Map<String, Version> last = new HashMap<>();
        private final List<String> backwards = new ArrayList<>();
        private final Thread reader;
        private volatile boolean ended;
        private volatile Throwable failure;
        private int events;

        private VersionWatch(NodeProcess node, String marker) throws Exception {
            this.node = node;
            ApiClient api = node.client();
            WatchStream stream = api.openWatch(null, Json.object().put("type", "alarm").set("kinds", Json.MAPPER.createArrayNode().add("object")));
            reader = new Thread(() -> {
                try (api; stream) {
                    for (JsonNode e = stream.next(); e != null; e = stream.next()) {
                        String id = e.path("id").asText();
                        if (id.equals(marker)) {
                            ended = true;
                            return;
                        }
                        see(id, EntryJson.parseVersion(e.path("version").asText()));
                    }
                } catch (Throwable t) {
                    failure = t;
                }
            }, "watch-" + node.id());
            reader.setDaemon(true);
            reader.start();
        }

        static VersionWatch open(NodeProcess node, String marker) throws Exception {
            return new VersionWatch(node, marker);
        }

        private synchronized void see(String id, Version v) {
            events++;
            Version before = last.put(id, v);
            if (before != null && v.compareTo(before) <= 0) {
                backwards.add(id + ": " + before + " then " + v);
            }
        }

        void awaitEnd(Duration limit) throws InterruptedException {
            reader.join(limit.toMillis());
            assertThat(failure).as("watch on %s", node.id()).isNull();
            assertThat(ended).as("watch on %s saw the end marker", node.id()).isTrue();
        }

        synchronized List<String> backwards() {
            return List.copyOf(backwards);
        }

        synchronized int events() {
            return events;
        }

        String node() {
            return node.id();
        }
    }

    /** Compares what the nodes hold: alarm objects by id, with version and spec. */
    static final class Convergence {

        /** Waits until every node holds every acked id and all hold the same objects; returns the ms it took. */
        static long await(List<NodeProcess> nodes, Set<String> acked, Duration limit) throws InterruptedException {
            long start = System.nanoTime();
            String[] why = {"not polled"};
            until(limit, () -> {
                why[0] = difference(nodes, acked);
                return why[0] == null;
            }, () -> "convergence: " + why[0]);
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }

        interface Check {
            boolean ok() throws Exception;
        }

        static void until(Duration limit, Check check, java.util.function.Supplier<String> what) throws InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (true) {
                try {
                    if (check.ok()) {
                        return;
                    }
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("not within " + limit + ": " + what.get() + " (last error: " + e + ")", e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not within " + limit + ": " + what.get());
                }
                Thread.sleep(25);
            }
        }

        /** Null when converged, else what differs. */
        static String difference(List<NodeProcess> nodes, Set<String> acked) throws Exception {
            Map<String, String> first = null;
            for (NodeProcess node : nodes) {
                Map<String, String> objects = objects(node);
                List<String> missing = acked.stream().filter(id -> !objects.containsKey(id)).limit(5).toList();
                if (!missing.isEmpty()) {
                    return node.id() + " lacks acknowledged writes, e.g. " + missing;
                }
                if (first == null) {
                    first = objects;
                } else if (!first.equals(objects)) {
                    return nodes.get(0).id() + " holds " + first.size() + " objects, " + node.id() + " " + objects.size() + " or other versions";
                }
            }
            return null;
        }

        /** Id to "version spec" of a node's alarm objects. */
        static Map<String, String> objects(NodeProcess node) throws Exception {
            Map<String, String> out = new TreeMap<>();
            try (ApiClient api = node.client()) {
                for (JsonNode e : api.call("cluster", "list", Json.object().put("type", "alarm"))) {
                    out.put(e.path("id").asText(), e.path("version").asText() + " " + e.path("spec"));
                }
            }
            return out;
        }
    }

    /** Writes objects to one node at a pace, remembering which writes the node acknowledged. */
    static final class Writer {

        private final Thread thread;
        private final Set<String> acked = ConcurrentHashMap.newKeySet();
        private final List<String> errors = new ArrayList<>();

        private Writer(NodeProcess node, List<String> ids, Duration pace) {
            thread = new Thread(() -> {
                try (ApiClient api = node.client()) {
                    int i = 0;
                    for (String id : ids) {
                        try {
                            api.call("cluster", "put", Json.object().put("type", "alarm").put("id", id)
                                    .set("spec", Json.object().put("writer", node.id()).put("i", i++)));
                            acked.add(id);
                        } catch (AcpException e) {
                            synchronized (errors) {
                                errors.add(id + ": " + e.getMessage());
                            }
                        }
                        if (!pace.isZero()) {
                            Thread.sleep(pace.toMillis());
                        }
                    }
                } catch (Exception e) {
                    synchronized (errors) {
                        errors.add(e.toString());
                    }
                }
            }, "writer-" + node.id());
            thread.start();
        }

        /** {@code count} new objects {@code prefix0..}. */
        static Writer start(NodeProcess node, String prefix, int count, Duration pace) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add(prefix + i);
            }
            return new Writer(node, ids, pace);
        }

        /** {@code rounds} updates of each of {@code objects} shared ids {@code prefix0..}. */
        static Writer updating(NodeProcess node, String prefix, int objects, int rounds, Duration pace) {
            List<String> ids = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                for (int i = 0; i < objects; i++) {
                    ids.add(prefix + i);
                }
            }
            return new Writer(node, ids, pace);
        }

        static Set<String> joinAll(List<Writer> writers) throws InterruptedException {
            Set<String> all = new LinkedHashSet<>();
            for (Writer w : writers) {
                w.thread.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(w.thread.isAlive()).as("writer still running after 60 s").isFalse();
                synchronized (w.errors) {
                    assertThat(w.errors).as("write errors (a healthy local node acknowledges every write)").isEmpty();
                }
                all.addAll(w.acked);
            }
            return all;
        }
    }
}
