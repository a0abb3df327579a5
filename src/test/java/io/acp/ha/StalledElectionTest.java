package io.acp.ha;

import static org.assertj.core.api.Assertions.assertThat;

import io.microraft.impl.RaftNodeImpl;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The state MicroRaft 0.7 can leave a follower in (OwnershipGroup#restartStalledElection): a
 * pre-vote started while it had no leader, then a leader's append set one, and the pre-vote's
 * state stayed. In a two-node cluster with a witness, a witness in that state and a node whose log
 * fell behind while it was cut off are the two survivors when the leader dies: without the
 * restart neither ever stands for election, so there is no leader and no failover at all.
 */
class StalledElectionTest {

    private static final java.util.logging.Logger RAFT_LOG = java.util.logging.Logger.getLogger("io.microraft");

    @BeforeAll
    static void quietRaft() {
        RAFT_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    @Test
    void aWitnessLeftWithAFinishedPreVoteStillStandsForElectionWhenTheLeaderDies() {
        SimOwnershipCluster c = leaderDiesBesideAStaleWitness(true);
        SimOwnershipCluster.Node w = c.nodes.get("w");
        assertThat(w.group.leader()).as("a leader among the survivors 15 s after the leader died%s", c.describe()).isNotNull();
        assertThat(c.copies().get("db")).as("db runs on the node left%s", c.describe()).hasSize(1).doesNotContain(lead);
    }

    /** What the workaround is for: MicroRaft alone never elects a leader again (if this fails, MicroRaft fixed it). */
    @Test
    void withoutTheWorkaroundThereIsNeverALeaderAgain() {
        SimOwnershipCluster c = leaderDiesBesideAStaleWitness(false);
        for (String n : List.of("w", other)) {
            assertThat(c.nodes.get(n).group.leader()).as("%s knows no leader 15 s after the leader died", n).satisfiesAnyOf(
                    l -> assertThat(l).isNull(), l -> assertThat(l.id()).isEqualTo(lead));
        }
        assertThat(c.copies().getOrDefault("db", java.util.Set.of())).as("db runs nowhere%s", c.describe()).isEmpty();
    }

    private String lead;
    private String other;

    private SimOwnershipCluster leaderDiesBesideAStaleWitness(boolean workaround) {
        // The first seed in which a node, not the witness, leads after the start (the same each run).
        SimOwnershipCluster c = null;
        for (long seed = 1; seed <= 20 && !"n1".equals(lead) && !"n2".equals(lead); seed++) {
            c = new SimOwnershipCluster(seed, List.of("n1", "n2"), List.of("w"), List.of("db"));
            c.restartStalledElections = workaround;
            c.time.runUntil(5_000, c::check);
            lead = c.nodes.get("w").group.leader() == null ? null : c.nodes.get("w").group.leader().id();
        }
        assertThat(lead).as("a node leads after the start in one of 20 seeds%s", c.describe()).isIn("n1", "n2");
        SimOwnershipCluster.Node w = c.nodes.get("w");
        other = lead.equals("n1") ? "n2" : "n1";
        assertThat(c.copies().get("db")).as("db runs%s", c.describe()).hasSize(1);

        // The race's outcome on the witness: a pre-vote begun while the leader is known. The others
        // reject it (they hear the leader); it times out and its state stays.
        c.time.at(0, "w", () -> ((RaftNodeImpl) w.group.raftNode()).preCandidate());
        c.time.runUntil(c.time.now() + 3_000, c::check);
        assertThat(((RaftNodeImpl) w.group.raftNode()).state().preCandidateState()).as("the witness keeps a finished pre-vote's state").isNotNull();
        assertThat(w.group.leader().id()).isEqualTo(lead);

        // The other node is cut off from the leader long enough for its log to fall behind (db, if
        // it ran there, moves to the leader); then the link is mended and the leader's machine dies.
        c.cutLink(lead, other);
        c.time.runUntil(c.time.now() + 6_000, c::check);
        c.heal();
        c.crash(lead);
        c.time.runUntil(c.time.now() + 15_000, c::check);
        return c;
    }
}
