package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.HybridClock;
import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuietStatsResenderTest {

    private static final long HEARTBEAT = 500;

    private static StatsEntry sampleAt(long millis) {
        return new StatsEntry(ObjectKey.of(ObjectType.SYSTEM, "vm1"), "n1", Map.of("cpu", 0.5), new Version(HybridClock.fromMillis(millis), "n1"));
    }

    /** Heartbeat by heartbeat from {@code from} to {@code to}: the times at which something was resent. */
    private static List<Long> resendTimes(QuietStatsResender r, long from, long to) {
        List<Long> at = new ArrayList<>();
        for (long now = from; now <= to; now += HEARTBEAT) {
            if (!r.tick(now, e -> true).isEmpty()) {
                at.add(now);
            }
        }
        return at;
    }

    @Test
    void aSeriesThatKeepsItsPaceIsNeverResent() {
        QuietStatsResender r = new QuietStatsResender(HEARTBEAT);
        for (long t = 0; t < 60_000; t += HEARTBEAT) {
            if (t % 1000 == 0) {
                r.changed(sampleAt(t)); // 1 s stats, heartbeats every 0.5 s
            }
            assertThat(r.tick(t, e -> true)).isEmpty();
        }
    }

    @Test
    void aStoppedSeriesIsResentAfterThreeSixAndTwelveOfItsPeriodsThenForgotten() {
        QuietStatsResender r = new QuietStatsResender(HEARTBEAT);
        r.changed(sampleAt(0));
        r.changed(sampleAt(10_000)); // a 10 s series, then it stops
        assertThat(resendTimes(r, 10_000, 200_000)).containsExactly(40_000L, 70_000L, 130_000L);
        assertThat(r.tracked()).isZero();
    }

    @Test
    void aSeriesSeenOnceIsPacedByTheHeartbeat() {
        QuietStatsResender r = new QuietStatsResender(HEARTBEAT);
        StatsEntry only = sampleAt(0);
        r.changed(only);
        List<StatsEntry> sent = new ArrayList<>();
        for (long now = 0; now <= 10_000; now += HEARTBEAT) {
            sent.addAll(r.tick(now, e -> true));
        }
        assertThat(sent).containsExactly(only, only, only);
        QuietStatsResender again = new QuietStatsResender(HEARTBEAT);
        again.changed(sampleAt(0));
        assertThat(resendTimes(again, 0, 10_000)).containsExactly(1_500L, 3_000L, 6_000L);
    }

    @Test
    void aNewSampleRestartsTheSchedule() {
        QuietStatsResender r = new QuietStatsResender(HEARTBEAT);
        r.changed(sampleAt(0));
        r.changed(sampleAt(1_000));
        assertThat(resendTimes(r, 1_000, 4_000)).containsExactly(4_000L);
        StatsEntry newer = sampleAt(4_200);
        r.changed(newer);
        assertThat(r.tick(13_700, e -> true)).isEmpty();
        assertThat(r.tick(13_800, e -> true)).containsExactly(newer); // 3 periods of the last gap (3.2 s) after 4.2 s
    }

    @Test
    void aSampleTheCdbNoLongerHoldsIsDroppedNotResent() {
        QuietStatsResender r = new QuietStatsResender(HEARTBEAT);
        r.changed(sampleAt(0));
        assertThat(r.tick(60_000, e -> false)).isEmpty();
        assertThat(r.tracked()).isZero();
    }
}
