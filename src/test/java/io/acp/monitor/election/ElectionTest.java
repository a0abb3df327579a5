package io.acp.monitor.election;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The election rule, and a seeded simulation of splits and heals with the oracle checked every round. */
class ElectionTest {

    @Test
    void theLowestLiveIdIsPrimaryAndTermsCountChanges() {
        Decision alone = Election.decide("n2", 0, null, List.of());
        assertThat(alone).isEqualTo(new Decision(Role.PRIMARY, 1, "n2"));

        Decision withN1 = Election.decide("n2", 1, "n2", List.of(new MonitorPeer("n1", 1), new MonitorPeer("n3", 4)));
        assertThat(withN1).as("a lower id appeared: step down, term past the highest seen").isEqualTo(new Decision(Role.SECONDARY, 5, "n1"));

        Decision same = Election.decide("n2", 5, "n1", List.of(new MonitorPeer("n1", 5)));
        assertThat(same).as("no change, no new term").isEqualTo(new Decision(Role.SECONDARY, 5, "n1"));

        Decision adopt = Election.decide("n2", 5, "n1", List.of(new MonitorPeer("n1", 7)));
        assertThat(adopt.term()).as("terms only grow to the highest seen").isEqualTo(7);
    }

    @Test
    void whenThePrimaryIsGoneTheNextLowestTakesOver() {
        Election n2 = new Election("n2");
        assertThat(n2.next(List.of(new MonitorPeer("n1", 0), new MonitorPeer("n3", 0))).role()).isEqualTo(Role.SECONDARY);
        Decision after = n2.next(List.of(new MonitorPeer("n3", 1)));
        assertThat(after.role()).isEqualTo(Role.PRIMARY);
        assertThat(after.term()).isEqualTo(2);
    }

    @Test
    void twoNodeSplitGivesEachSideItsOwnPrimaryAndHealingLeavesOne() {
        Election n1 = new Election("n1");
        Election n2 = new Election("n2");
        Decision d1 = n1.next(List.of(new MonitorPeer("n2", 0)));
        Decision d2 = n2.next(List.of(new MonitorPeer("n1", d1.term())));
        assertThat(d1.role()).isEqualTo(Role.PRIMARY);
        assertThat(d2.role()).isEqualTo(Role.SECONDARY);

        d1 = n1.next(List.of());
        d2 = n2.next(List.of());
        assertThat(d1.role()).as("n1 alone").isEqualTo(Role.PRIMARY);
        assertThat(d2.role()).as("n2 alone").isEqualTo(Role.PRIMARY);

        d1 = n1.next(List.of(new MonitorPeer("n2", d2.term())));
        d2 = n2.next(List.of(new MonitorPeer("n1", d1.term())));
        assertThat(d1.role()).isEqualTo(Role.PRIMARY);
        assertThat(d2.role()).isEqualTo(Role.SECONDARY);
        d1 = n1.next(List.of(new MonitorPeer("n2", d2.term())));
        assertThat(d1.term()).as("one term after healing").isEqualTo(d2.term());
    }

    /**
     * Five monitors, random partitions (each round every node sees exactly the others in its part),
     * 2,000 rounds: at most one primary per part and term, and every part has its primary each round.
     */
    @Test
    void seededSimulationKeepsOnePrimaryPerConnectedPart() {
        List<String> ids = List.of("m1", "m2", "m3", "m4", "m5");
        Map<String, Election> elections = new HashMap<>();
        Map<String, Long> published = new HashMap<>();
        ids.forEach(id -> {
            elections.put(id, new Election(id));
            published.put(id, 0L);
        });
        Random random = new Random(7);
        List<Set<String>> parts = List.of(new TreeSet<>(ids));
        for (int round = 0; round < 2000; round++) {
            if (random.nextInt(20) == 0) {
                parts = randomParts(ids, random);
            }
            for (Set<String> part : parts) {
                Map<String, Decision> decisions = new HashMap<>();
                // two passes: the second sees the terms the first published, as the next round would
                for (int pass = 0; pass < 2; pass++) {
                    for (String id : part) {
                        List<MonitorPeer> live = new ArrayList<>();
                        part.stream().filter(p -> !p.equals(id)).forEach(p -> live.add(new MonitorPeer(p, published.get(p))));
                        Decision d = elections.get(id).next(live);
                        decisions.put(id, d);
                    }
                    decisions.forEach((id, d) -> published.put(id, d.term()));
                }
                long primaries = decisions.values().stream().filter(d -> d.role() == Role.PRIMARY).count();
                assertThat(primaries).as("round %d part %s: %s", round, part, decisions).isEqualTo(1);
                assertThat(decisions.values().stream().map(Decision::term).distinct().count()).as("one term per part").isEqualTo(1);
                assertThat(decisions.values().stream().map(Decision::primary).distinct()).containsExactly(part.iterator().next());
            }
        }
    }

    private static List<Set<String>> randomParts(List<String> ids, Random random) {
        int k = 1 + random.nextInt(3);
        List<Set<String>> parts = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            parts.add(new TreeSet<>());
        }
        ids.forEach(id -> parts.get(random.nextInt(k)).add(id));
        parts.removeIf(Set::isEmpty);
        return parts;
    }
}
