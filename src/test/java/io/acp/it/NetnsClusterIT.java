package io.acp.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.acp.api.client.ApiClient;
import io.acp.model.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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
 * ({@code scripts/netns-cluster}), under loss, duplication, reordering and partitions made with
 * nftables (this kernel has no {@code tc netem}; loss, netdev-egress duplication, HTB reordering
 * and the partition all work on it, and each test checks its fault's rule counters moved). Needs
 * root, as CI runs. One lab of three nodes ({@code -Dacp.netns.nodes}, 3–5) serves every test;
 * each test clears its faults and leaves all nodes running. Oracles: every acknowledged write is on
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
        List<AckedWriter> writers = new ArrayList<>();
        for (NodeProcess node : lab.nodes()) {
            writers.add(AckedWriter.start(node, "a-" + node.id() + "-", 40, Duration.ofMillis(10)));
        }
        Set<String> acked = AckedWriter.joinAll(writers);
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
        List<AckedWriter> writers = new ArrayList<>();
        for (NodeProcess node : lab.nodes()) {
            writers.add(AckedWriter.start(node, "b-" + node.id() + "-", 120, Duration.ofMillis(25)));
        }
        Set<String> acked = AckedWriter.joinAll(writers);
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

        List<AckedWriter> writers = List.of(
                AckedWriter.start(side, "c-" + side.id() + "-", 30, Duration.ofMillis(20)),
                AckedWriter.start(lab.node(2), "c-n2-", 30, Duration.ofMillis(20)),
                AckedWriter.start(cut, "c-" + cut.id() + "-", 30, Duration.ofMillis(20)));
        Set<String> acked = AckedWriter.joinAll(writers);

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
        Set<String> before = AckedWriter.joinAll(List.of(AckedWriter.start(victim, "d-pre-", 10, Duration.ZERO)));
        Convergence.await(lab.nodes(), before, CONVERGE_LIMIT);
        int objectsBefore = Convergence.objects(victim).size();
        victim.kill();

        Set<String> acked = new LinkedHashSet<>(before);
        acked.addAll(AckedWriter.joinAll(List.of(
                AckedWriter.start(lab.node(1), "d-n1-", 30, Duration.ofMillis(10)),
                AckedWriter.start(lab.node(3), "d-n3-", 30, Duration.ofMillis(10)))));

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
        List<AckedWriter> writers = new ArrayList<>();
        for (NodeProcess node : lab.nodes()) {
            writers.add(AckedWriter.updating(node, "e-", 8, 10, Duration.ofMillis(15)));
        }
        Set<String> acked = AckedWriter.joinAll(writers);
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
}
