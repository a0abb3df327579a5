package io.acp.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Seeded, deterministic simulation of HA ownership (docs/architecture.md, "Ownership"): real
 * MicroRaft members replicating the real {@link LeaseTable}, with the real {@link LeaseHolder},
 * {@link Fencing}, {@link OwnershipAgent} and {@link Failover}, in virtual time over a network
 * that loses, delays and partitions messages (clean splits, and single links cut so that a node
 * still reaches some members), with machine crashes and restarts. After every task
 * (every message, timer and tick) it checks: at most one node believes it owns each system, at
 * most one copy of each system exists (a copy counts from its start until its destroy finished).
 * After the faults stop, every system runs exactly once within 30 s of virtual time.
 *
 * <p>{@code -Dacp.ha.sim.seeds=N} runs seeds 1..N (default 60, each with 40 fault rounds);
 * {@code -Dacp.ha.sim.seed=S} replays seed S alone.
 */
class OwnershipSimulationTest {

    private static final List<String> SYSTEMS = List.of("s1", "s2", "s3", "s4");
    /** Held so the level sticks: MicroRaft logs every election at INFO, thousands of them here. */
    private static final java.util.logging.Logger RAFT_LOG = java.util.logging.Logger.getLogger("io.microraft");

    @org.junit.jupiter.api.BeforeAll
    static void quietRaft() {
        RAFT_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    @Test
    void neverTwoOwnersNorTwoCopiesUnderPartitionsCrashesAndLoss() {
        long only = Long.getLong("acp.ha.sim.seed", 0L);
        long seeds = Long.getLong("acp.ha.sim.seeds", 60L);
        long rounds = 0;
        long checks = 0;
        long fences = 0;
        long failovers = 0;
        long migrations = 0;
        for (long seed = only != 0 ? only : 1; seed <= (only != 0 ? only : seeds); seed++) {
            SimOwnershipCluster c = run(seed, 40);
            rounds += 40;
            checks += c.checks;
            fences += c.fences;
            failovers += c.failovers;
            migrations += c.migrations;
        }
        // Not vacuous: the faults made nodes lose their leases and systems move, and migrations handed leases over.
        assertThat(migrations).as("live migrations with their lease handed over").isGreaterThan(0);
        assertThat(checks).as("invariant checks").isGreaterThan(rounds * 100);
        assertThat(fences).as("leases lost (fencing passes)").isGreaterThan(0);
        assertThat(failovers).as("systems moved by the HA manager").isGreaterThan(0);
    }

    /** A live migration of a system some node runs to another node, as a fault among the others. */
    private static void migrateOne(SimOwnershipCluster c, List<String> all) {
        String system = SYSTEMS.get(c.random.nextInt(SYSTEMS.size()));
        String to = all.get(c.random.nextInt(all.size()));
        c.copies().getOrDefault(system, Set.of()).forEach(from -> c.migrate(system, from, to));
    }

    /**
     * An HA system migrated with its lease: when its old node fails afterwards, nobody restarts it
     * (its new node owns it), so it keeps running where it went, started there never.
     */
    @Test
    void aMigratedSystemIsNotRestartedWhenItsOldNodeFails() {
        SimOwnershipCluster c = new SimOwnershipCluster(7, List.of("n1", "n2", "n3"), List.of(), SYSTEMS);
        c.time.runUntil(5_000, c::check);
        String from = c.copies().get("s1").iterator().next();
        String to = from.equals("n2") ? "n3" : "n2";
        assertThat(c.migrate("s1", from, to)).as("migration of s1 from %s begins%s", from, c.describe()).isTrue();
        c.time.runUntil(c.time.now() + 5_000, c::check);
        assertThat(c.copies().get("s1")).as("s1 moved to %s%s", to, c.describe()).containsExactly(to);
        assertThat(c.nodes.get(to).holder.owned()).contains("s1");
        assertThat(c.nodes.get(to).vms.starts.getOrDefault("s1", 0)).as("s1 was moved to %s, not started there%s", to, c.describe()).isZero();

        Map<String, Integer> startsBefore = new java.util.HashMap<>();
        c.nodes.values().forEach(n -> startsBefore.put(n.id, n.vms.starts.getOrDefault("s1", 0)));
        c.crash(from);
        c.time.runUntil(c.time.now() + 30_000, c::check);
        assertThat(c.copies().get("s1")).as("s1 after its old node %s failed%s", from, c.describe()).containsExactly(to);
        for (SimOwnershipCluster.Node n : c.nodes.values()) {
            if (!n.id.equals(to)) {
                // (its new node may stop and start it again itself if its own lease lapses while the group elects a new leader)
                assertThat(n.vms.starts.getOrDefault("s1", 0)).as("starts of s1 on %s after %s failed", n.id, from).isEqualTo(startsBefore.get(n.id));
            }
        }
    }

    /** Three voters, or two plus a witness: the seed picks. */
    private static SimOwnershipCluster run(long seed, int rounds) {
        boolean withWitness = seed % 2 == 0;
        List<String> voters = withWitness ? List.of("n1", "n2") : List.of("n1", "n2", "n3");
        List<String> witnesses = withWitness ? List.of("w") : List.of();
        SimOwnershipCluster c = new SimOwnershipCluster(seed, voters, witnesses, SYSTEMS);
        List<String> all = new ArrayList<>(c.nodes.keySet());
        c.time.runUntil(5_000, c::check);
        for (int round = 0; round < rounds; round++) {
            String node = all.get(c.random.nextInt(all.size()));
            int fault = c.random.nextInt(8);
            switch (fault) {
                case 0 -> c.isolate(node);
                case 1 -> c.heal();
                case 2 -> {
                    if (!c.isDown(node)) {
                        c.crash(node);
                    }
                }
                case 3 -> c.restart(node);
                case 4 -> c.setLoss(c.random.nextInt(40));
                case 5 -> c.cutLink(node, all.get(c.random.nextInt(all.size())));
                case 6 -> migrateOne(c, all);
                default -> {
                }
            }
            c.time.runUntil(c.time.now() + 200 + c.random.nextInt(4_000), c::check);
        }
        c.heal();
        c.setLoss(0);
        all.forEach(c::restart);
        long healed = c.time.now();
        c.time.runUntil(healed + 30_000, c::check);
        Map<String, Set<String>> copies = c.copies();
        assertThat(copies.keySet()).as("seed %d: every system runs again within 30 s after healing%s", seed, c.describe())
                .containsExactlyInAnyOrderElementsOf(SYSTEMS);
        copies.forEach((system, where) -> assertThat(where).as("seed %d: copies of %s", seed, system).hasSize(1));
        return c;
    }
}
