package io.acp.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.cluster.ObjectQuery;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectType;
import io.acp.monitor.election.Decision;
import io.acp.monitor.election.Role;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Monitors on real nodes in one JVM (loopback multicast sync, membership suspect after 1 s, dead after
 * 2.5 s): the primary crashes, monitors are partitioned and healed. Checked: one primary per connected
 * part, the failover time (printed; only a generous deadline is asserted), and the alarm set before and
 * after (same ids, same firstSeen, none lost, none duplicated).
 */
class MonitorClusterTest {

    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final MonitorSettings SETTINGS = MonitorSettings.defaults()
            .withTimings(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(1));

    private InProcessCluster cluster;
    private final Map<String, MonitorNode> monitors = new HashMap<>();

    /** What the framework and the monitor service do on one node: stats every 200 ms, a round every 100 ms. */
    private static final class MonitorNode {
        final Cdb cdb;
        final Monitor monitor;
        final ScheduledExecutorService thread;

        MonitorNode(Cdb cdb) {
            this.cdb = cdb;
            Producers.node(cdb, cdb.localNode(), true);
            Producers.nodeStats(cdb, cdb.localNode(), System.currentTimeMillis());
            this.monitor = new Monitor(cdb, SETTINGS, System::currentTimeMillis);
            this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "test-monitor-" + cdb.localNode());
                t.setDaemon(true);
                return t;
            });
            thread.scheduleWithFixedDelay(() -> Producers.nodeStats(cdb, cdb.localNode(), System.currentTimeMillis()), 200, 200, TimeUnit.MILLISECONDS);
            thread.scheduleWithFixedDelay(this::round, 0, 100, TimeUnit.MILLISECONDS);
        }

        /** As the monitor service does: a round that throws is reported and the schedule goes on. */
        private void round() {
            try {
                monitor.round();
            } catch (RuntimeException e) {
                System.out.println("monitor round on " + cdb.localNode() + " failed: " + e);
            }
        }

        Decision decision() {
            return monitor.decision();
        }

        boolean primary() {
            Decision d = decision();
            return d != null && d.role() == Role.PRIMARY;
        }

        /** Stops like a crash: no goodbye, the meta stays as it was. */
        void crash() throws InterruptedException {
            thread.shutdownNow();
            thread.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private void start(int n) {
        cluster = InProcessCluster.start(n);
        for (InProcessCluster.Node node : cluster.nodes()) {
            monitors.put(node.id, new MonitorNode(node.cdb()));
        }
        // A monitor watches the nodes whose node objects it holds: a split before they arrived would hide a node.
        Eventually.await(DEADLINE, () -> cluster.nodes().stream().allMatch(x -> CdbObservations.nodeIds(x.cdb()).size() == n),
                () -> cluster.nodes().stream().map(x -> x.id + " knows " + CdbObservations.nodeIds(x.cdb())).collect(Collectors.joining("; ")));
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (MonitorNode m : monitors.values()) {
            m.crash();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Every monitor in {@code part} agrees that {@code primary} is primary, and only it says it is. */
    private boolean onePrimary(Set<String> part, String primary) {
        for (String id : part) {
            Decision d = monitors.get(id).decision();
            if (d == null || !d.primary().equals(primary) || (d.role() == Role.PRIMARY) != id.equals(primary)) {
                return false;
            }
        }
        return true;
    }

    private String decisions() {
        return new TreeMap<>(monitors).entrySet().stream().map(e -> e.getKey() + "=" + e.getValue().decision()).collect(Collectors.joining(", "));
    }

    /** id → alarm, as one node's CDB holds them. */
    private static Map<String, Alarm> alarms(Cdb cdb) {
        Map<String, Alarm> out = new TreeMap<>();
        for (ObjectEntry e : cdb.objects(ObjectQuery.ofType(ObjectType.ALARM))) {
            out.put(e.id(), Alarm.fromJson(e.spec()));
        }
        return out;
    }

    private static Set<String> active(Cdb cdb) {
        return alarms(cdb).entrySet().stream().filter(e -> e.getValue().state().active()).map(Map.Entry::getKey).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** No two alarm objects for one condition (rule, subject, node). */
    private static void assertNoDuplicates(Cdb cdb) {
        List<String> conditions = new ArrayList<>();
        alarms(cdb).values().forEach(a -> conditions.add(a.rule() + " " + a.subject() + " " + a.node()));
        assertThat(conditions).doesNotHaveDuplicates();
    }

    private void breakThings() {
        Producers.pool(cluster.node(2).cdb(), "p1", "n2", "full", 99);
        Producers.device(cluster.node(3).cdb(), "sdb", "n3", "gone");
    }

    private static final Set<String> BROKEN = Set.of("poolFull:storage:p1:n2", "deviceGone:storage:sdb:n3");

    @Test
    void whenThePrimaryCrashesASecondaryTakesOverWithTheSameAlarms() throws InterruptedException {
        start(3);
        Eventually.await(DEADLINE, () -> onePrimary(Set.of("n1", "n2", "n3"), "n1"), this::decisions);
        breakThings();
        Eventually.await(DEADLINE, () -> active(cluster.node(2).cdb()).containsAll(BROKEN), () -> "alarms on n2: " + alarms(cluster.node(2).cdb()));
        Map<String, Alarm> before = alarms(cluster.node(2).cdb());

        long crashed = System.nanoTime();
        monitors.get("n1").crash();
        cluster.stop(1);
        Eventually.await(DEADLINE, () -> monitors.get("n2").primary(), this::decisions);
        long failoverMillis = (System.nanoTime() - crashed) / 1_000_000;
        System.out.println("MEASURED monitor failover after the primary crashed: " + failoverMillis + " ms (membership suspect-after 1 s)");
        Eventually.await(DEADLINE, () -> onePrimary(Set.of("n2", "n3"), "n2"), this::decisions);

        Eventually.await(DEADLINE, () -> active(cluster.node(3).cdb()).contains("nodeDead:node:n1"), () -> "alarms on n3: " + alarms(cluster.node(3).cdb()));
        Map<String, Alarm> after = alarms(cluster.node(3).cdb());
        for (String id : BROKEN) {
            assertThat(after.get(id).state()).as(id).isEqualTo(Alarm.State.RAISED);
            assertThat(after.get(id).firstSeen()).as("firstSeen of " + id + " kept by the new primary").isEqualTo(before.get(id).firstSeen());
        }
        assertNoDuplicates(cluster.node(2).cdb());
        assertNoDuplicates(cluster.node(3).cdb());
        assertThat(MonitorQueries.primary(cluster.node(3).cdb()).orElseThrow().node()).as("what the API reports").isEqualTo("n2");
        assertThat(MonitorQueries.health(cluster.node(3).cdb()).path("score").asInt()).isLessThan(100);
    }

    @Test
    void eachSideOfAPartitionHasOnePrimaryAndAfterHealingOneRemains() {
        start(3);
        Eventually.await(DEADLINE, () -> onePrimary(Set.of("n1", "n2", "n3"), "n1"), this::decisions);
        breakThings();
        Eventually.await(DEADLINE, () -> active(cluster.node(3).cdb()).containsAll(BROKEN), () -> "alarms on n3: " + alarms(cluster.node(3).cdb()));
        Map<String, Alarm> before = alarms(cluster.node(1).cdb());

        long split = System.nanoTime();
        cluster.partition(Set.of("n1", "n2"));
        Eventually.await(DEADLINE, () -> monitors.get("n3").primary(), this::decisions);
        System.out.println("MEASURED monitor primary on the cut-off side after a partition: " + (System.nanoTime() - split) / 1_000_000 + " ms");
        Eventually.await(DEADLINE, () -> onePrimary(Set.of("n1", "n2"), "n1") && onePrimary(Set.of("n3"), "n3"), this::decisions);
        // each side raises its own view of the other side, under ids of its own
        Eventually.await(DEADLINE, () -> active(cluster.node(3).cdb()).containsAll(Set.of("nodeDead:node:n1", "nodeDead:node:n2")),
                () -> "alarms on n3: " + alarms(cluster.node(3).cdb()));
        Eventually.await(DEADLINE, () -> active(cluster.node(1).cdb()).contains("nodeDead:node:n3"), () -> "alarms on n1: " + alarms(cluster.node(1).cdb()));
        assertThat(active(cluster.node(3).cdb())).as("alarms about the unseen side are kept, not cleared").containsAll(BROKEN);
        assertThat(active(cluster.node(1).cdb())).containsAll(BROKEN);

        long healed = System.nanoTime();
        cluster.heal();
        Eventually.await(DEADLINE, () -> onePrimary(Set.of("n1", "n2", "n3"), "n1"), this::decisions);
        System.out.println("MEASURED monitor single primary after healing: " + (System.nanoTime() - healed) / 1_000_000 + " ms");
        Eventually.await(DEADLINE, () -> cluster.nodes().stream().allMatch(n -> active(n.cdb()).equals(BROKEN)) && cluster.converged(),
                () -> cluster.nodes().stream().map(n -> n.id + ": " + active(n.cdb())).collect(Collectors.joining("; ")));
        for (InProcessCluster.Node n : cluster.nodes()) {
            Map<String, Alarm> after = alarms(n.cdb());
            for (String id : BROKEN) {
                assertThat(after.get(id).firstSeen()).as(id + " on " + n.id).isEqualTo(before.get(id).firstSeen());
            }
            assertThat(after.get("nodeDead:node:n3").state()).as("the split's alarms are cleared, not deleted").isEqualTo(Alarm.State.CLEARED);
            assertNoDuplicates(n.cdb());
        }
        Decision d = monitors.get("n3").decision();
        assertThat(d.term()).as("terms converge on the highest").isEqualTo(monitors.get("n1").decision().term());
    }

    @Test
    void aTwoNodeSplitRunsTwoPrimariesUntilItHeals() {
        start(2);
        Eventually.await(DEADLINE, () -> onePrimary(Set.of("n1", "n2"), "n1"), this::decisions);
        cluster.partition(Set.of("n1"));
        Eventually.await(DEADLINE, () -> onePrimary(Set.of("n1"), "n1") && onePrimary(Set.of("n2"), "n2"), this::decisions);
        Eventually.await(DEADLINE, () -> active(cluster.node(1).cdb()).contains("nodeDead:node:n2") && active(cluster.node(2).cdb()).contains("nodeDead:node:n1"),
                () -> "n1: " + alarms(cluster.node(1).cdb()) + " n2: " + alarms(cluster.node(2).cdb()));
        cluster.heal();
        Eventually.await(DEADLINE, () -> onePrimary(Set.of("n1", "n2"), "n1"), this::decisions);
        Eventually.await(DEADLINE, () -> active(cluster.node(1).cdb()).isEmpty() && active(cluster.node(2).cdb()).isEmpty() && cluster.converged(),
                () -> "n1: " + alarms(cluster.node(1).cdb()) + " n2: " + alarms(cluster.node(2).cdb()));
        assertNoDuplicates(cluster.node(1).cdb());
    }
}
