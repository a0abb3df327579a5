package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.cluster.ChangeFilter;
import io.acp.cluster.sync.membership.Peer;
import io.acp.cluster.sync.membership.PeerState;
import io.acp.model.MetaEntry;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.testing.Eventually;
import io.acp.testing.InProcessCluster;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Membership over real heartbeats: a stopped node goes suspect then dead, and is re-admitted with its new epoch. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MembershipSyncTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    private static Optional<Peer> peer(InProcessCluster.Node viewer, String node) {
        return viewer.sync().membership().stream().filter(p -> p.node().equals(node)).findFirst();
    }

    private static boolean sees(InProcessCluster.Node viewer, String node, PeerState state) {
        return peer(viewer, node).map(p -> p.state() == state).orElse(false);
    }

    @ParameterizedTest
    @EnumSource(SyncSettings.Mode.class)
    void aStoppedNodeGoesSuspectThenDeadAndComesBackAlive(SyncSettings.Mode mode) {
        try (InProcessCluster cluster = InProcessCluster.start(3, mode)) {
            InProcessCluster.Node n1 = cluster.node(1);
            ObjectKey n3Key = ObjectKey.of(ObjectType.NODE, "n3");
            List<String> n1ViewOfN3 = new CopyOnWriteArrayList<>();
            n1.cdb().changes(new ChangeFilter(null, ObjectType.NODE, "n3", "n1")).subscribe()
                    .with(e -> n1ViewOfN3.add(((MetaEntry) e).values().path("membership").asText()));
            Eventually.await(WAIT, () -> sees(n1, "n2", PeerState.ALIVE) && sees(n1, "n3", PeerState.ALIVE), "n1 sees n2 and n3 alive");
            long oldEpoch = peer(n1, "n3").orElseThrow().epoch();

            cluster.stop(3);
            Eventually.await(WAIT, () -> sees(n1, "n3", PeerState.DEAD) && sees(cluster.node(2), "n3", PeerState.DEAD), () -> "n3 dead: " + n1.sync().membership());
            Eventually.await(WAIT, () -> n1ViewOfN3.contains("dead"), () -> "n1's published view of n3: " + n1ViewOfN3);
            assertThat(n1ViewOfN3).containsSubsequence("suspect", "dead");
            // n1's view reached n2 as meta of node/n3 written by n1
            Eventually.await(WAIT, () -> cluster.node(2).cdb().meta(n3Key, "n1").stream()
                    .anyMatch(m -> m.values().path("membership").asText().equals("dead")), "n2 holds n1's view of n3");

            cluster.restart(3);
            Eventually.await(WAIT, () -> sees(n1, "n3", PeerState.ALIVE), () -> "n3 back: " + n1.sync().membership());
            assertThat(peer(n1, "n3").orElseThrow().epoch()).isGreaterThan(oldEpoch);
            // the change stream delivers the meta a moment after the membership view changed
            Eventually.await(WAIT, () -> n1ViewOfN3.size() >= 3 && n1ViewOfN3.get(n1ViewOfN3.size() - 1).equals("alive"), () -> "n1's published view of n3: " + n1ViewOfN3);
            assertThat(n1ViewOfN3).containsSubsequence("suspect", "dead", "alive");
            assertThat(n1.cdb().meta(n3Key, "n1").get(0).values().path("epoch").asLong()).isEqualTo(cluster.node(3).sync().epoch());
        }
    }
}
