package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The puller's resume point: covered ranges leave the wanted ones, holes stay, a finished pass starts over. */
class StreamCursorTest {

    private static final long HIGH = 0xF000_0000_0000_0000L; // above every signed-positive position: compared unsigned

    @Test
    void answersThatWouldSplitTheWantedRangesPastTheBoundCoverNothing() {
        StreamCursor c = new StreamCursor();
        c.firstRanges(1);
        for (long x = 1; x <= StreamCursor.MAX_RANGES + 1000; x++) {
            c.covered(2 * x, 2 * x + 1); // a one-position answer in the middle of what is wanted, as any sender can claim
        }
        assertThat(c.wanted()).hasSize(StreamCursor.MAX_RANGES);
        long[] last = c.wanted().get(c.wanted().size() - 1);
        assertThat(last[1]).as("the rest stays wanted, to the end").isEqualTo(StateIndex.END);
        c.covered(StateIndex.START, StateIndex.END);
        assertThat(c.passDone()).as("an answer that covers whole ranges still ends them").isTrue();
    }

    @Test
    void coveredRangesLeaveHolesWhereBodiesWereLost() {
        StreamCursor c = new StreamCursor();
        assertThat(c.atPassStart()).isTrue();
        assertThat(c.firstRanges(16)).containsExactly(new long[] {StateIndex.START, StateIndex.END});
        c.covered(0, 100);
        c.covered(200, 300); // the body covering [100, 200) was lost
        c.covered(300, HIGH);
        assertThat(c.wanted()).containsExactly(new long[] {100, 200}, new long[] {HIGH, StateIndex.END});
        c.covered(120, 150); // part of a hole
        assertThat(c.wanted()).containsExactly(new long[] {100, 120}, new long[] {150, 200}, new long[] {HIGH, StateIndex.END});
        c.covered(50, HIGH + 10); // across everything up to a point
        assertThat(c.wanted()).containsExactly(new long[] {HIGH + 10, StateIndex.END});
        assertThat(c.firstRanges(1)).containsExactly(new long[] {HIGH + 10, StateIndex.END});
        assertThat(c.atPassStart()).isFalse();
        c.covered(HIGH + 10, StateIndex.END);
        assertThat(c.passDone()).isTrue();
        assertThat(c.firstRanges(16)).containsExactly(new long[] {StateIndex.START, StateIndex.END});
        assertThat(c.atPassStart()).as("the next pull starts a pass").isTrue();
        c.firstRanges(16);
        assertThat(c.atPassStart()).isFalse();
    }

    @Test
    void aRangeCoveredTwiceOrEmptyChangesNothing() {
        StreamCursor c = new StreamCursor();
        c.covered(10, 20);
        c.covered(10, 20);
        c.covered(30, 30);
        assertThat(c.wanted()).containsExactly(new long[] {0, 10}, new long[] {20, StateIndex.END});
        assertThat(c.firstRanges(1)).hasSize(1);
        assertThat(List.of(c.firstRanges(16).size())).containsExactly(2);
    }
}
