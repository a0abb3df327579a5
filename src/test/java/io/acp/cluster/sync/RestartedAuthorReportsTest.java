package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.Cdb;
import io.acp.cluster.sync.wire.MessageType;
import io.acp.model.Json;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.testing.CdbContents;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Meta and stats are not journaled: a restarted node no longer holds what it reported before, and
 * gets it back only from a peer that holds it with the author's seal. A peer that took a report
 * under a pair tag and lost both copies of the seal that follows can never relay it. Three real
 * nodes on loopback multicast, journaled; n2 is made to lose every seal of n1's (found by a chaos
 * run, where n5 kept such reports of n1 and the digests never agreed again).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RestartedAuthorReportsTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectKey KEY = ObjectKey.of(ObjectType.SYSTEM, "reported");
    /** What n2 does not hear while it is made to miss seals: sealed deltas, their seal tags, and anti-entropy answers. */
    private static final Set<MessageType> SEALED = Set.of(MessageType.DELTA, MessageType.SEAL_TAGS, MessageType.ENTRIES);

    @Test
    void aReportNoNodeCanRelayIsForgottenWhenItsAuthorRestartsAndTheNodesConverge() {
        try (InProcessCluster c = InProcessCluster.startJournaled(3)) {
            c.awaitConverged(WAIT);
            c.node(2).faults().dropTypes(SEALED);
            Reports r = report(c);
            // no node but n2 holds them from here on: n3 restarts (its copies were in memory), and
            // n1's seals at its stop reach only n2, which drops them
            c.stop(3);
            c.stop(1);
            c.restart(3);
            c.restart(1);
            awaitForgottenAtN2(c, r);

            c.awaitConverged(WAIT);
            for (InProcessCluster.Node n : c.nodes()) {
                assertThat(n.cdb().meta(KEY, "n1")).as("n1's old meta on %s", n.id).isEmpty();
                assertThat(n.cdb().stats(KEY, "n1")).as("n1's old stats on %s", n.id).isEmpty();
            }
            assertSameContents(c);
        }
    }

    @Test
    void aReportAPeerHoldsSealedSurvivesItsAuthorsRestartOnEveryNode() {
        try (InProcessCluster c = InProcessCluster.startJournaled(3)) {
            c.awaitConverged(WAIT);
            c.node(2).faults().dropTypes(SEALED);
            Reports r = report(c);
            Eventually.await(WAIT, () -> holds(c.node(3).cdb(), r), "n3 holds n1's reports");
            // n1's stop seals what it sent under tags, twice: n3 keeps the seals
            c.stop(1);
            c.restart(1);
            awaitForgottenAtN2(c, r);

            // n3 relays them under n1's seal: to n2, and to n1, which takes its own reports back (so n3
            // kept them: no other node could have given them back to it)
            c.awaitConverged(WAIT);
            for (InProcessCluster.Node n : c.nodes()) {
                Eventually.await(WAIT, () -> holds(n.cdb(), r), () -> n.id + " holds n1's reports again");
            }
            assertSameContents(c);
        }
    }

    /**
     * n1 signs its heartbeats' seals on a thread of their own; here that thread never gets to them,
     * so n1's peers hold its reports only as they came under pair tags. Its stop must sign and send
     * what is still waiting, in order, or no peer could give the reports back after n1's restart
     * (each forgets what it holds unsealed when n1 restarts).
     */
    @Test
    void aSealStillWaitingToBeSignedAtTheAuthorsStopIsSentByTheStop() {
        try (InProcessCluster c = InProcessCluster.startJournaled(3)) {
            c.awaitConverged(WAIT);
            List<Runnable> neverRun = new java.util.concurrent.CopyOnWriteArrayList<>();
            c.stop(1);
            c.sealWith(node -> neverRun::add);
            c.restart(1);
            c.sealWith(null);
            c.awaitConverged(WAIT);
            Reports r = report(c);
            Eventually.await(WAIT, () -> holds(c.node(3).cdb(), r), "n3 holds n1's reports");
            Eventually.await(WAIT, () -> neverRun.size() >= 2, "n1 has handed two heartbeats' seals to its sealer");
            c.stop(1);
            c.restart(1);

            c.awaitConverged(WAIT);
            for (InProcessCluster.Node n : c.nodes()) {
                Eventually.await(WAIT, () -> holds(n.cdb(), r), () -> n.id + " holds n1's reports again");
            }
            assertSameContents(c);
        }
    }

    /**
     * The author dies for good right after reporting, before any seal of those reports reached a
     * peer (here its seals are dropped; a crash does the same to what it reported since its last
     * heartbeat): n2 holds them unsealed, n3 restarts and lacks them. Once n2 holds n1 dead it
     * forgets them, and n2 and n3 agree again instead of pulling from each other for good.
     */
    @Test
    void aReportNoNodeCanRelayIsForgottenWhenItsAuthorDiesAndTheOthersConverge() {
        try (InProcessCluster c = InProcessCluster.startJournaled(3)) {
            c.awaitConverged(WAIT);
            c.node(2).faults().dropTypes(SEALED);
            c.node(3).faults().dropTypes(SEALED);
            Reports r = report(c);
            Eventually.await(WAIT, () -> holds(c.node(3).cdb(), r), "n3 holds n1's reports");
            c.stop(1); // its seals at the stop are dropped too; it does not come back
            c.stop(3);
            c.restart(3); // its copies were in memory
            c.node(3).faults().dropTypes(Set.of());
            c.node(2).faults().dropTypes(Set.of());

            Eventually.await(WAIT, () -> !holdsEither(c.node(2).cdb(), r) && c.node(2).sync().counters().reportsForgottenCount() >= 2,
                    () -> "n2 forgets the reports of n1 it cannot relay once n1 is dead: " + c.node(2).sync().stats());
            c.awaitConverged(WAIT);
            assertThat(holdsEither(c.node(3).cdb(), r)).as("n3 never got them back: no one could relay them").isFalse();
            List<ObjectKey> keys = List.of(KEY, ObjectKey.of(ObjectType.NODE, "n1"), ObjectKey.of(ObjectType.NODE, "n2"), ObjectKey.of(ObjectType.NODE, "n3"));
            Eventually.await(WAIT, () -> CdbContents.of(c.node(2).cdb(), keys).equals(CdbContents.of(c.node(3).cdb(), keys)),
                    () -> "n2 and n3 hold the same entries: " + CdbContents.differences(c.runningNodes(), keys));
        }
    }

    /**
     * n2 takes n1's reports under pair tags without having heard any heartbeat of n1 in that life
     * (n2 restarted, and knows n1's certificate from its journal). n1 restarts before n2 hears it.
     * The first heartbeat n2 hears of n1 is of n1's new life, which is still a restart as far as
     * those reports go: n2 forgets them, and the two agree. Found by a chaos run, where n5 came up
     * after n2's first heartbeat, took n2's tagged deltas, and held them for good.
     */
    @Test
    void aReportTakenBeforeAnyHeartbeatOfItsAuthorIsForgottenWhenTheAuthorsNextLifeIsHeard() {
        try (InProcessCluster c = InProcessCluster.startJournaled(2)) {
            Reports r = reportUnheard(c);
            c.stop(1); // its seals at the stop are dropped at n2
            c.restart(1);
            c.node(2).faults().dropTypes(Set.of());

            awaitForgottenAtN2(c, r);
            c.awaitConverged(WAIT);
            assertThat(holdsEither(c.node(1).cdb(), r)).as("n1 no longer holds its old reports").isFalse();
            assertSameContents(c);
        }
    }

    /**
     * As above, but n1 never comes back: n2 never hears it at all, and forgets what it took from it
     * once n1 has been silent for {@code dead-after}, as it would had it heard n1 and seen it die.
     */
    @Test
    void aReportTakenBeforeAnyHeartbeatOfItsAuthorIsForgottenWhenTheAuthorStaysSilent() {
        try (InProcessCluster c = InProcessCluster.startJournaled(2)) {
            Reports r = reportUnheard(c);
            c.stop(1); // for good

            Eventually.await(WAIT, () -> !holdsEither(c.node(2).cdb(), r) && c.node(2).sync().counters().reportsForgottenCount() >= 2,
                    () -> "n2 forgets the reports of n1, never heard and silent since: " + c.node(2).sync().stats());
        }
    }

    /** n1's reports, which n2 takes under pair tags without having heard any heartbeat of n1 (see {@link #restartUnhearing}). */
    private static Reports reportUnheard(InProcessCluster c) {
        c.awaitConverged(WAIT);
        restartUnhearing(c);
        Reports r = report(c);
        assertThat(c.node(2).sync().membership()).as("n2 has heard no heartbeat of n1").noneMatch(p -> p.node().equals("n1"));
        return r;
    }

    /**
     * Restarts n2 deaf to n1's heartbeats; once n2 holds n1's certificate again (it is meta, not
     * journaled: n1 sends it sealed when it hears n2), n2 stops hearing sealed messages too, so
     * what n1 reports next reaches n2 under pair tags only.
     */
    private static void restartUnhearing(InProcessCluster c) {
        c.stop(2);
        c.restart(2, f -> f.dropTypes(Set.of(MessageType.HEARTBEAT)));
        Eventually.await(WAIT, () -> c.node(2).cdb().reportedKeys(ObjectType.SERVICE).stream()
                .anyMatch(k -> k.id().startsWith("n1:sync-identity") && !c.node(2).cdb().meta(k, "n1").isEmpty()), "n2 holds n1's certificate");
        Set<MessageType> unheard = new java.util.HashSet<>(SEALED);
        unheard.add(MessageType.HEARTBEAT);
        c.node(2).faults().dropTypes(unheard);
    }

    /** n2 forgets n1's reports it cannot relay once n1 is back; then it hears sealed messages again. */
    private static void awaitForgottenAtN2(InProcessCluster c, Reports r) {
        // the count is added when the sweep ends, after the reports are gone
        Eventually.await(WAIT, () -> !holdsEither(c.node(2).cdb(), r) && c.node(2).sync().counters().reportsForgottenCount() >= 2,
                () -> "n2 forgets the reports of n1 it cannot relay once n1 is back: " + c.node(2).sync().stats());
        c.node(2).faults().dropTypes(Set.of());
    }

    private record Reports(MetaEntry meta, StatsEntry stats) {
    }

    /** n1 reports meta and stats of one object; returns them once n2 holds both (under pair tags only). */
    private static Reports report(InProcessCluster c) {
        MetaEntry meta = c.node(1).cdb().putMeta(KEY, Json.MAPPER.createObjectNode().put("state", "running"));
        StatsEntry stats = c.node(1).cdb().putStats(KEY, Map.of("cpu", 0.25));
        Reports r = new Reports(meta, stats);
        Eventually.await(WAIT, () -> holds(c.node(2).cdb(), r), "n2 holds n1's reports");
        return r;
    }

    private static boolean holds(Cdb cdb, Reports r) {
        return cdb.meta(KEY, "n1").stream().anyMatch(m -> m.version().equals(r.meta().version()))
                && cdb.stats(KEY, "n1").stream().anyMatch(s -> s.version().equals(r.stats().version()));
    }

    private static boolean holdsEither(Cdb cdb, Reports r) {
        return cdb.meta(KEY, "n1").stream().anyMatch(m -> m.version().equals(r.meta().version()))
                || cdb.stats(KEY, "n1").stream().anyMatch(s -> s.version().equals(r.stats().version()));
    }

    private static void assertSameContents(InProcessCluster c) {
        List<ObjectKey> keys = List.of(KEY, ObjectKey.of(ObjectType.NODE, "n1"), ObjectKey.of(ObjectType.NODE, "n2"), ObjectKey.of(ObjectType.NODE, "n3"));
        Eventually.await(WAIT, () -> c.nodes().stream().map(n -> CdbContents.of(n.cdb(), keys)).distinct().count() == 1,
                () -> "every node holds the same entries: " + CdbContents.differences(c.nodes(), keys));
    }
}
