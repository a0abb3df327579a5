package io.acp.cluster.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.journal.Journal;
import io.acp.model.Json;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import io.acp.security.Pem;
import io.acp.security.PkiFiles;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member that is away when an object is deleted holds the delete's tombstone back from collection
 * until it is back and holds it. Before, the live members collected it once the TTL passed, and the
 * member came back with the object from its journal and offered it as new: a deleted system, written
 * by that member, was back on every node. Real nodes on loopback multicast, each with its own
 * journal; the TTL is zero and the wall clock a second ahead, so only agreement holds a tombstone.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AwayMemberTombstoneTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    @Test
    void aMemberAwayHoldsTheTombstoneBackAndTakesTheDeleteWhenItIsBack() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.startJournaled(3);
             Journal unused = Journal.open(tmp.resolve("journal"), false, 1 << 30)) { // maintenance compacts only past its size
            ObjectKey key = deleteWhileN3IsAway(cluster, 3); // n3 wrote it, so n3 can seal it again
            for (int i = 1; i <= 2; i++) {
                InProcessCluster.Node n = cluster.node(i);
                Eventually.await(WAIT, () -> n.sync().agreesWithPeers(), () -> n.id + " agrees with its live peer");
                collectOn(n, horizon(n));
                assertThat(n.cdb().entry(key)).as("tombstone on %s while n3 is away", n.id)
                        .hasValueSatisfying(e -> assertThat(e.deleted()).isTrue());
                // n2 may not have announced n1's latest root yet (n1 publishes n3 suspect, then dead): n3 stays
                Eventually.await(WAIT, () -> n.sync().membersNotHoldingThisState().equals(java.util.List.of("n3")),
                        () -> "members of " + n.id + " not holding its state: " + n.sync().membersNotHoldingThisState());
            }

            cluster.restart(3); // from its journal, where the object is still live
            cluster.awaitConverged(WAIT);
            assertThat(cluster.node(3).cdb().entry(key)).as("the delete reached n3").hasValueSatisfying(e -> assertThat(e.deleted()).isTrue());

            // every node's horizon first, as each cluster service keeps its own: the first collection
            // makes the others differ from it until they collect too
            java.util.List<AgreementHorizon> horizons = new java.util.ArrayList<>();
            for (InProcessCluster.Node n : cluster.nodes()) {
                Eventually.await(WAIT, () -> n.sync().membersNotHoldingThisState().isEmpty(), () -> n.id + " agrees with every member");
                horizons.add(horizon(n));
            }
            for (int i = 0; i < 3; i++) {
                collectOn(cluster.node(i + 1), horizons.get(i));
            }
            cluster.awaitConverged(WAIT);
            // the nodes agree, so nothing is pulled; n3's journal no longer holds the object live, so it has nothing to offer
            long accepted = cluster.node(1).sync().stats().get("sync.datagrams.accepted");
            Eventually.await(WAIT, () -> cluster.node(1).sync().stats().get("sync.datagrams.accepted") >= accepted + 8,
                    "n1 heard its peers' heartbeats a few times more");
            cluster.awaitConverged(WAIT);
            for (InProcessCluster.Node n : cluster.nodes()) {
                assertThat(n.cdb().entry(key)).as("%s after the collection", n.id).isEmpty();
            }
        }
    }

    @Test
    void aNodeRestartedMeanwhileStillWaitsForTheMemberAway() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.startJournaled(3)) {
            ObjectKey key = deleteWhileN3IsAway(cluster, 3);

            cluster.stop(1);
            cluster.restart(1); // knows n3 only from what it stored and what n2 tells it: n3 says nothing
            InProcessCluster.Node n1 = cluster.node(1);
            cluster.awaitConverged(WAIT);
            Eventually.await(WAIT, () -> n1.sync().agreesWithPeers(), () -> "n1 agrees with its live peer");
            collectOn(n1, horizon(n1));
            assertThat(n1.cdb().entry(key)).as("tombstone on n1 after its restart").hasValueSatisfying(e -> assertThat(e.deleted()).isTrue());
            Eventually.await(WAIT, () -> n1.sync().membersNotHoldingThisState().equals(java.util.List.of("n3")),
                    () -> "members of n1 not holding its state: " + n1.sync().membersNotHoldingThisState());
        }
    }

    @Test
    void aMemberWhoseCertificateIsRevokedHoldsNothingBack() throws Exception {
        try (InProcessCluster cluster = InProcessCluster.start(3)) {
            ObjectKey key = deleteWhileN3IsAway(cluster, 1);
            InProcessCluster.Node n1 = cluster.node(1);
            Eventually.await(WAIT, () -> n1.sync().agreesWithPeers(), () -> "n1 agrees with its live peer"); // n3 no longer live
            Eventually.await(WAIT, () -> n1.sync().membersNotHoldingThisState().equals(java.util.List.of("n3")),
                    () -> "members of n1 not holding its state: " + n1.sync().membersNotHoldingThisState());

            BigInteger n3Serial = Pem.readCertificate(PkiFiles.in(cluster.node(3).dataDir).nodeCertificate()).getSerialNumber();
            n1.sync().useRevocations(cert -> cert.getSerialNumber().equals(n3Serial)); // as `acp cluster revoke n3` makes every node do
            assertThat(n1.sync().membersNotHoldingThisState()).isEmpty();
            collectOn(n1, horizon(n1));
            assertThat(n1.cdb().entry(key)).as("tombstone on n1 once n3 is revoked").isEmpty();
        }
    }

    /** An object written by node {@code writer} and held everywhere, then deleted on n1 while n3 is stopped; the live nodes agree on it. */
    private static ObjectKey deleteWhileN3IsAway(InProcessCluster cluster, int writer) throws Exception {
        ObjectKey key = ObjectKey.of(ObjectType.SYSTEM, "deleted-while-n3-was-away");
        cluster.node(writer).cdb().putObject(key, null, Json.object(), null).await().atMost(WAIT);
        cluster.awaitConverged(WAIT);
        cluster.stop(3);
        cluster.node(1).cdb().deleteObject(key).await().atMost(WAIT);
        cluster.awaitConverged(WAIT);
        return key;
    }

    /** The node's agreement as its cluster service observes it, taken from its sync just now. */
    private static AgreementHorizon horizon(InProcessCluster.Node n) {
        AgreementHorizon h = new AgreementHorizon();
        h.observe(n.sync().membersNotHoldingThisState().isEmpty(), System.currentTimeMillis());
        return h;
    }

    /** One maintenance round as the cluster service runs it. */
    private void collectOn(InProcessCluster.Node n, AgreementHorizon h) throws Exception {
        try (Journal unused = Journal.open(tmp.resolve("journal-" + n.id + "-" + System.nanoTime()), false, 1 << 30)) {
            new ClusterMaintenance(n.cdb(), unused, Duration.ZERO, () -> System.currentTimeMillis() + 1000, h::agreedAtMillis,
                    () -> n.sync().membersNotHoldingThisState()).run();
        }
    }
}
