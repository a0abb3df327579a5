package io.acp.cluster.service;

import io.acp.cluster.Cdb;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.journal.Journal;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tombstones are collected once every live member has seen them, and stay collected: the node that
 * collects first does not take the tombstone back from a peer that has not collected it yet (with
 * two nodes they used to hand it to each other for ever), and the others still collect although
 * the digests differ from the moment the first one did. Real nodes on loopback multicast.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TombstoneCollectionTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void tombstonesSeenByEveryLiveMemberAreCollectedEverywhereForGood(int size) throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(size);
             Journal unused = Journal.open(tmp.resolve("journal"), false, 1 << 30)) { // maintenance compacts only past its size
            ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "gone");
            cluster.node(1).cdb().putObject(key, null, Json.object(), null).await().atMost(WAIT);
            cluster.node(1).cdb().deleteObject(key).await().atMost(WAIT);
            cluster.awaitConverged(WAIT);
            for (InProcessCluster.Node n : cluster.nodes()) {
                assertThat(n.cdb().entry(key)).as("tombstone on %s", n.id).hasValueSatisfying(e -> assertThat(e.deleted()).isTrue());
            }

            // every node's horizon: all live peers agreed just now, so they all hold the tombstone
            List<AgreementHorizon> horizons = new ArrayList<>();
            List<ClusterMaintenance> rounds = new ArrayList<>();
            for (InProcessCluster.Node n : cluster.nodes()) {
                AgreementHorizon h = new AgreementHorizon();
                Eventually.await(WAIT, () -> n.sync().membersNotHoldingThisState().isEmpty(), () -> n.id + " agrees with every member");
                h.observe(true, System.currentTimeMillis() + 1);
                horizons.add(h);
                // TTL 0 and a wall clock a second ahead: every tombstone is old enough
                rounds.add(new ClusterMaintenance(n.cdb(), unused, Duration.ZERO, () -> System.currentTimeMillis() + 1000, h::agreedAtMillis,
                        () -> n.sync().membersNotHoldingThisState()));
            }

            InProcessCluster.Node first = cluster.node(1);
            rounds.get(0).run();
            assertThat(first.cdb().entry(key)).isEmpty();
            // the others still hold it and differ from the first: it pulls from them, and must not take it back
            long pulls = first.sync().stats().get("sync.pulls.sent");
            Eventually.await(WAIT, () -> first.sync().stats().get("sync.pulls.sent") >= pulls + 4, "n1 pulled from its peers a few times");
            assertThat(first.cdb().entry(key)).as("tombstone back on n1").isEmpty();
            assertThat(first.cdb().objectCount()).isZero();

            for (int i = 1; i < size; i++) {
                InProcessCluster.Node n = cluster.node(i + 1);
                horizons.get(i).observe(n.sync().membersNotHoldingThisState().isEmpty(), System.currentTimeMillis()); // no longer agrees: the horizon stays
                rounds.get(i).run();
                assertThat(n.cdb().entry(key)).as("tombstone on %s after its round", n.id).isEmpty();
            }
            cluster.awaitConverged(WAIT);
            Thread.sleep(1000); // anti-entropy keeps running; nothing may come back
            for (InProcessCluster.Node n : cluster.nodes()) {
                assertThat(n.cdb().entry(key)).as("tombstone on %s", n.id).isEmpty();
            }
            cluster.awaitConverged(WAIT);
        }
    }
}
