package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.acp.model.Json;
import io.acp.model.ObjectEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.CdbContents;
import io.acp.testing.Eventually;
import io.acp.testing.FaultyTransport.FaultPlan;
import io.acp.testing.InProcessCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Real nodes on loopback, over multicast and over the unicast peer list, converge: after concurrent writes, loss, duplication, reordering and restart. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterSyncTest {

    private static final Duration CONVERGE = Duration.ofSeconds(20);

    /** Each node writes {@code perNode} objects, meta and stats concurrently; returns the acknowledged objects. */
    static List<ObjectEntry> writeConcurrently(InProcessCluster cluster, String tag, int perNode) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(cluster.runningNodes().size());
        try {
            List<Future<List<ObjectEntry>>> acks = new ArrayList<>();
            for (InProcessCluster.Node n : cluster.runningNodes()) {
                acks.add(pool.submit(() -> {
                    List<ObjectEntry> mine = new ArrayList<>();
                    for (int i = 0; i < perNode; i++) {
                        ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, tag + "-" + n.id + "-" + i);
                        ObjectNode spec = Json.object().put("i", i).put("by", n.id);
                        mine.add(n.cdb().putObject(key, null, spec, null).await().atMost(Duration.ofSeconds(5)));
                        n.cdb().putMeta(key, Json.object().put("state", "running"));
                        n.cdb().putStats(key, Map.of("cpu", i / 100.0));
                    }
                    return mine;
                }));
            }
            List<ObjectEntry> all = new ArrayList<>();
            for (Future<List<ObjectEntry>> f : acks) {
                all.addAll(f.get(30, TimeUnit.SECONDS));
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    static void assertEveryNodeHolds(InProcessCluster cluster, List<ObjectEntry> acknowledged) {
        for (InProcessCluster.Node n : cluster.runningNodes()) {
            for (ObjectEntry e : acknowledged) {
                assertThat(n.cdb().entry(e.key())).as("%s on %s", e.key(), n.id).isPresent();
                assertThat(n.cdb().entry(e.key()).orElseThrow().version()).as("%s on %s", e.key(), n.id).isGreaterThanOrEqualTo(e.version());
            }
        }
    }

    /**
     * Every running node's CDB holds the same entries, read through the CDB itself. Waited for, not
     * just checked: equal digests do not cover a newer sample of a known stats series, which may
     * still be on its way (delayed by a fault layer).
     */
    /** Objects and tombstones, and every node's meta and stats on every key: what the digest counts. */
    static int entriesHeld(io.acp.cluster.Cdb cdb) {
        int n = cdb.objects(new io.acp.cluster.ObjectQuery(null, null, null, null, true)).size();
        for (ObjectType type : ObjectType.values()) {
            for (ObjectKey k : cdb.reportedKeys(type)) {
                n += cdb.meta(k, null).size() + cdb.stats(k, null).size();
            }
        }
        return n;
    }

    static void assertSameContents(InProcessCluster cluster, List<ObjectEntry> acknowledged) {
        List<ObjectKey> keys = new ArrayList<>();
        acknowledged.forEach(e -> keys.add(e.key()));
        cluster.nodes().forEach(n -> keys.add(ObjectKey.of(ObjectType.NODE, n.id)));
        // one read of every node per attempt: re-reading afterwards could see a write made since, e.g. a
        // node's own readiness meta turning READY, which is replicated like any other and converges in turn
        List<Set<String>> agreed = new ArrayList<>();
        Eventually.await(CONVERGE, () -> {
                    List<Set<String>> contents = cluster.runningNodes().stream().map(n -> CdbContents.of(n.cdb(), keys)).toList();
                    if (contents.stream().distinct().count() != 1) {
                        return false;
                    }
                    agreed.add(contents.get(0));
                    return true;
                },
                () -> "every node's CDB holds the same entries; differences: " + CdbContents.differences(cluster.runningNodes(), keys));
        assertThat(agreed.get(0)).as("the contents every node agreed on").isNotEmpty();
    }

    @ParameterizedTest
    @EnumSource(SyncSettings.Mode.class)
    void nodesConvergeAfterConcurrentWrites(SyncSettings.Mode mode) throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(4, mode)) {
            List<ObjectEntry> acked = writeConcurrently(cluster, "w", 50);
            cluster.awaitConverged(CONVERGE);
            assertEveryNodeHolds(cluster, acked);
            assertSameContents(cluster, acked);
            assertThat(cluster.node(1).cdb().objectCount()).isEqualTo(200);
            assertThat(cluster.node(2).sync().counters().droppedTotal()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(SyncSettings.Mode.class)
    void nodesConvergeOnceTwentyPercentLossStops(SyncSettings.Mode mode) throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(5, mode)) {
            cluster.faults(FaultPlan.loss(20));
            List<ObjectEntry> acked = writeConcurrently(cluster, "loss", 40);
            // the writes are acknowledged before their deltas arrive: keep the loss on until every node lost some
            Eventually.await(CONVERGE, () -> cluster.nodes().stream().allMatch(n -> n.faults().dropped() > 0), "every fault layer dropped datagrams");
            cluster.faults(FaultPlan.NONE);
            cluster.awaitConverged(CONVERGE);
            assertEveryNodeHolds(cluster, acked);
            assertSameContents(cluster, acked);
        }
    }

    @ParameterizedTest
    @EnumSource(SyncSettings.Mode.class)
    void duplicatedAndReorderedDatagramsChangeNothingAndVersionsNeverGoBack(SyncSettings.Mode mode) throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3, mode)) {
            cluster.faults(new FaultPlan(0, 30, 30, 40));
            Map<String, io.acp.model.Version> highest = new ConcurrentHashMap<>();
            List<String> backwards = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (InProcessCluster.Node n : cluster.nodes()) {
                n.cdb().changes(io.acp.cluster.ChangeFilter.ALL).subscribe().with(e -> {
                    String slot = n.id + " " + e.kind() + " " + e.key() + " " + e.node();
                    io.acp.model.Version before = highest.put(slot, e.version());
                    if (before != null && !e.version().isNewerThan(before)) {
                        backwards.add(slot + ": " + before + " then " + e.version());
                    }
                });
            }
            // the same keys rewritten many times from every node: the latest write must win everywhere
            List<ObjectEntry> acked = new ArrayList<>();
            for (int round = 0; round < 20; round++) {
                acked.addAll(writeConcurrently(cluster, "same", 5));
            }
            cluster.faults(FaultPlan.NONE);
            cluster.awaitConverged(CONVERGE);
            assertThat(backwards).isEmpty();
            assertEveryNodeHolds(cluster, acked);
            assertSameContents(cluster, acked);
            long dupDropped = cluster.nodes().stream().mapToLong(n -> n.sync().counters().droppedCount(io.acp.cluster.sync.wire.DropReason.REPLAYED)).sum();
            assertThat(dupDropped).as("duplicates are dropped by the replay window").isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(SyncSettings.Mode.class)
    void aRestartedNodeWithAnEmptyCdbCatchesUp(SyncSettings.Mode mode) throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3, mode)) {
            List<ObjectEntry> before = writeConcurrently(cluster, "before", 20);
            cluster.awaitConverged(CONVERGE);
            long oldEpoch = cluster.node(3).sync().epoch();
            cluster.stop(3);
            List<ObjectEntry> during = writeConcurrently(cluster, "during", 20);
            cluster.restart(3);
            assertThat(cluster.node(3).sync().epoch()).isGreaterThan(oldEpoch);
            cluster.awaitConverged(CONVERGE);
            List<ObjectEntry> all = new ArrayList<>(before);
            all.addAll(during);
            all.removeIf(e -> e.node().equals("n3"));
            assertEveryNodeHolds(cluster, all);
            assertThat(cluster.node(3).cdb().objectCount()).as("n3's own objects came back too").isEqualTo(100);
        }
    }

    @Test
    void aRestartedNodeReloadsItsJournalThenCatchesUp() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.startJournaled(3)) {
            List<ObjectEntry> before = writeConcurrently(cluster, "kept", 10);
            cluster.awaitConverged(CONVERGE);
            cluster.stop(2);
            List<ObjectEntry> during = writeConcurrently(cluster, "missed", 10);
            cluster.restart(2);
            InProcessCluster.Node n2 = cluster.node(2);
            assertThat(n2.cdb().objectCount()).as("reloaded from the journal before any sync").isGreaterThanOrEqualTo(30);
            cluster.awaitConverged(CONVERGE);
            List<ObjectEntry> all = new ArrayList<>(before);
            all.addAll(during);
            assertEveryNodeHolds(cluster, all);
            assertThat(n2.cdb().objectCount()).isEqualTo(50);
        }
    }

    @Test
    void aLateJoinerReceivesTheWholeState() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3)) {
            List<ObjectEntry> acked = writeConcurrently(cluster, "early", 30);
            cluster.awaitConverged(CONVERGE);
            InProcessCluster.Node late = cluster.join();
            cluster.awaitConverged(CONVERGE);
            assertThat(late.cdb().objectCount()).isEqualTo(90);
            assertEveryNodeHolds(cluster, acked);
            assertSameContents(cluster, acked);
        }
    }

    @Test
    void anObjectLargerThanADatagramIsFragmentedAndArrivesWhole() {
        try (InProcessCluster cluster = InProcessCluster.start(3)) {
            ObjectNode spec = Json.object();
            for (int i = 0; i < 400; i++) {
                spec.put("key-" + i, "value number " + i + " of a spec far larger than one datagram");
            }
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "big");
            ObjectEntry written = cluster.node(1).cdb().putObject(key, null, spec, null).await().atMost(Duration.ofSeconds(5));
            assertThat(spec.toString().length()).as("spanning many datagrams").isGreaterThan(15 * 1400);
            cluster.awaitConverged(CONVERGE);
            for (InProcessCluster.Node n : cluster.nodes()) {
                assertThat(n.cdb().object(key).orElseThrow().spec()).as("spec on %s", n.id).isEqualTo(written.spec());
            }
            Eventually.await(CONVERGE, () -> cluster.nodes().stream().allMatch(n -> n.sync().agreesWithPeers()), "every node saw its peers announce its digest");
        }
    }

    @ParameterizedTest
    @EnumSource(SyncSettings.Mode.class)
    void bothSidesOfAPartitionWriteAndConvergeWhenItHeals(SyncSettings.Mode mode) throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(5, mode)) {
            cluster.awaitConverged(CONVERGE);
            cluster.partition(Set.of("n1", "n2"));
            List<ObjectEntry> acked = writeConcurrently(cluster, "split", 20);
            // the same object written on both sides: the higher version must win everywhere
            ObjectKey contested = ObjectKey.of(ObjectType.NETWORK, "contested");
            cluster.node(1).cdb().putObject(contested, "vlan", Json.object().put("side", "a"), null).await().atMost(Duration.ofSeconds(5));
            acked.add(cluster.node(4).cdb().putObject(contested, "vlan", Json.object().put("side", "b"), null).await().atMost(Duration.ofSeconds(5)));
            Eventually.await(CONVERGE, () -> cluster.node(1).sync().digest().equals(cluster.node(2).sync().digest())
                    && cluster.node(3).sync().digest().equals(cluster.node(5).sync().digest()), "each side converges on its own");
            assertThat(cluster.converged()).as("the sides cannot agree while split").isFalse();

            cluster.heal();
            cluster.awaitConverged(CONVERGE);
            assertEveryNodeHolds(cluster, acked);
            assertSameContents(cluster, acked);
            ObjectEntry winner = cluster.node(3).cdb().entry(contested).orElseThrow();
            for (InProcessCluster.Node n : cluster.nodes()) {
                assertThat(n.cdb().entry(contested).orElseThrow().version()).isEqualTo(winner.version());
            }
        }
    }

    @Test
    void aDeleteReachesEveryNodeAndTakesTheObjectsMetaAndStatsAlong() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3)) {
            List<ObjectEntry> acked = writeConcurrently(cluster, "doomed", 5);
            cluster.awaitConverged(CONVERGE);
            ObjectKey victim = acked.get(0).key();
            ObjectEntry tombstone = cluster.node(3).cdb().deleteObject(victim).await().atMost(Duration.ofSeconds(5));
            cluster.awaitConverged(CONVERGE);
            for (InProcessCluster.Node n : cluster.nodes()) {
                assertThat(n.cdb().object(victim)).as("%s on %s", victim, n.id).isEmpty();
                assertThat(n.cdb().entry(victim).orElseThrow().version()).isEqualTo(tombstone.version());
                assertThat(n.cdb().meta(victim, null)).isEmpty();
                assertThat(n.cdb().stats(victim, null)).isEmpty();
            }
            assertSameContents(cluster, acked);
        }
    }

    @Test
    void collectedTombstonesLeaveTheDigestOnEveryNode() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3)) {
            List<ObjectEntry> acked = writeConcurrently(cluster, "gone", 5);
            cluster.awaitConverged(CONVERGE);
            for (ObjectEntry e : acked.subList(0, 6)) {
                cluster.node(1).cdb().deleteObject(e.key()).await().atMost(Duration.ofSeconds(5));
            }
            cluster.awaitConverged(CONVERGE);
            assertThat(cluster.node(1).sync().digest().entries()).isEqualTo(entriesHeld(cluster.node(1).cdb()));
            // every node collects periodically, as the cluster service does; a tombstone a peer sends back is collected again.
            // The digest counts what the CDB holds (compared with a fresh count, as meta such as the peer views may still change)
            Eventually.await(CONVERGE, () -> {
                cluster.nodes().forEach(n -> n.cdb().collectTombstones(Long.MAX_VALUE));
                io.acp.cluster.Cdb cdb = cluster.node(1).cdb();
                boolean noTombstones = cdb.objects(new io.acp.cluster.ObjectQuery(null, null, null, null, true)).stream().noneMatch(ObjectEntry::deleted);
                return cluster.converged() && noTombstones && cluster.node(1).sync().digest().entries() == entriesHeld(cdb);
            }, cluster::describe);
            for (InProcessCluster.Node n : cluster.nodes()) {
                assertThat(n.cdb().objectCount()).as("objects on %s", n.id).isEqualTo(9);
            }
        }
    }
}
