package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What a starting node remembers of peers it heard but could not verify is bounded: any holder of the secret can send such heartbeats. */
class CatchUpBoundsTest {

    @Test
    void peersHeardButNotVerifiedAreRememberedUpToTheBound() {
        CatchUp c = new CatchUp(1_000_000_000L, 1_000_000_000L, 0, 30_000_000_000L);
        for (int i = 0; i < CatchUp.MAX_UNVERIFIED + 500; i++) {
            c.heardUnverified("made-up-" + i);
        }
        assertThat(c.unverifiedCount()).isEqualTo(CatchUp.MAX_UNVERIFIED);
    }
}
