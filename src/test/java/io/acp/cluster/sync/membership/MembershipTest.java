package io.acp.cluster.sync.membership;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The membership state machine on a controlled clock. */
class MembershipTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final Membership m = new Membership(Duration.ofSeconds(2), Duration.ofSeconds(6), now::get);
    private final InetSocketAddress addr = new InetSocketAddress("127.0.0.1", 5000);

    @Test
    void silenceMovesAlivePeersToSuspectThenDeadAndHearingRevivesThem() {
        assertThat(m.heard("n2", 5, addr)).get().extracting(Peer::state).isEqualTo(PeerState.ALIVE);
        assertThat(m.heard("n2", 5, addr)).as("nothing new").isEmpty();
        now.addAndGet(1_999);
        assertThat(m.tick()).isEmpty();
        now.addAndGet(1);
        assertThat(m.tick()).extracting(Peer::state).containsExactly(PeerState.SUSPECT);
        assertThat(m.tick()).isEmpty();
        now.addAndGet(4_000);
        assertThat(m.tick()).extracting(Peer::state).containsExactly(PeerState.DEAD);
        assertThat(m.view()).extracting(Peer::state).containsExactly(PeerState.DEAD);
        assertThat(m.heard("n2", 5, addr)).get().extracting(Peer::state).isEqualTo(PeerState.ALIVE);
    }

    @Test
    void aPeerIsKnownFromItsFirstHeartbeatOnAndStaysKnownWhenDead() {
        assertThat(m.knows("n2")).isFalse();
        m.heard("n2", 5, addr);
        assertThat(m.knows("n2")).isTrue();
        now.addAndGet(6_000);
        assertThat(m.tick()).extracting(Peer::state).containsExactly(PeerState.DEAD);
        assertThat(m.knows("n2")).as("a dead peer is still known: its epoch is what a restart is judged by").isTrue();
        assertThat(m.knows("n3")).isFalse();
    }

    @Test
    void aNewEpochIsReportedAndANewAddressToo() {
        m.heard("n2", 5, addr);
        assertThat(m.heard("n2", 6, addr)).get().extracting(Peer::epoch).isEqualTo(6L);
        assertThat(m.heard("n2", 6, new InetSocketAddress("127.0.0.1", 5001))).isPresent();
    }

    @Test
    void deadMustComeAfterSuspect() {
        assertThatThrownBy(() -> new Membership(Duration.ofSeconds(2), Duration.ofSeconds(2), now::get)).hasMessageContaining("dead-after");
    }
}
