package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Hand-offs of systems on one node, on a clock the test moves. */
class HandoffsTest {

    private final AtomicLong now = new AtomicLong(1_000);
    private final Handoffs handoffs = new Handoffs(now::get);

    @Test
    void aHandOffUnderWayRefusesASecondUntilItEndsOrExpires() {
        assertThat(handoffs.begin("vm", Duration.ofSeconds(10))).isTrue();
        assertThat(handoffs.begin("vm", Duration.ofSeconds(10))).as("under way").isFalse();
        assertThat(handoffs.blocks("vm")).isTrue();
        now.addAndGet(Duration.ofSeconds(11).toNanos());
        assertThat(handoffs.begin("vm", Duration.ofSeconds(10))).as("expired").isTrue();
        handoffs.end("vm");
        assertThat(handoffs.active("vm")).isFalse();
    }

    /** Found by LiveMigrationIT: an evacuation right after the guest had moved here was refused for two minutes. */
    @Test
    void aSystemThatArrivedMayMoveOnAtOnceAndIsProtectedMeanwhile() {
        assertThat(handoffs.begin("vm", Duration.ofSeconds(10))).isTrue();
        handoffs.arrived("vm", Duration.ofMinutes(2));
        assertThat(handoffs.blocks("vm")).as("arrived: operations go on").isFalse();
        assertThat(handoffs.active("vm")).as("the copy is still protected").isTrue();
        assertThat(handoffs.begin("vm", Duration.ofSeconds(10))).as("moving on").isTrue();
        assertThat(handoffs.blocks("vm")).isTrue();
        assertThat(handoffs.begin("vm", Duration.ofSeconds(10))).isFalse();
    }
}
