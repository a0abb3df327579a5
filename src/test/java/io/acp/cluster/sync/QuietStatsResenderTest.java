package io.acp.cluster.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import io.acp.model.StatsEntry;
import io.acp.model.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QuietStatsResenderTest {

    private static StatsEntry sample(String id, long time) {
        return new StatsEntry(ObjectKey.of(ObjectType.SYSTEM, id), "n1", Map.of("cpu", 0.5), new Version(time, "n1"));
    }

    /** Which heartbeats (1-based) sent something, over {@code heartbeats} ticks. */
    private static List<Integer> resendHeartbeats(QuietStatsResender r, int heartbeats) {
        List<Integer> at = new ArrayList<>();
        for (int hb = 1; hb <= heartbeats; hb++) {
            if (!r.tick(e -> true).isEmpty()) {
                at.add(hb);
            }
        }
        return at;
    }

    @Test
    void aQuietSeriesIsResentThreeTimesWithGrowingGapsThenForgotten() {
        QuietStatsResender r = new QuietStatsResender();
        StatsEntry last = sample("vm1", 7);
        r.changed(sample("vm1", 6));
        r.changed(last);

        List<StatsEntry> sent = new ArrayList<>();
        for (int hb = 1; hb <= 20; hb++) {
            sent.addAll(r.tick(e -> true));
        }

        assertThat(sent).containsExactly(last, last, last);
        assertThat(r.tracked()).isZero();
    }

    @Test
    void theResendsFollowTheScheduleOfHeartbeatsOfSilence() {
        QuietStatsResender r = new QuietStatsResender();
        r.changed(sample("vm1", 1));
        assertThat(resendHeartbeats(r, 20)).containsExactly(2, 4, 8);
    }

    @Test
    void aSeriesThatKeepsChangingIsNeverResent() {
        QuietStatsResender r = new QuietStatsResender();
        for (int hb = 1; hb <= 50; hb++) {
            r.changed(sample("vm1", hb));
            assertThat(r.tick(e -> true)).isEmpty();
        }
    }

    @Test
    void aNewSampleRestartsTheSchedule() {
        QuietStatsResender r = new QuietStatsResender();
        r.changed(sample("vm1", 1));
        assertThat(resendHeartbeats(r, 3)).containsExactly(2);
        StatsEntry newer = sample("vm1", 2);
        r.changed(newer);
        assertThat(r.tick(e -> true)).isEmpty();
        assertThat(r.tick(e -> true)).containsExactly(newer);
    }

    @Test
    void aSampleTheCdbNoLongerHoldsIsDroppedNotResent() {
        QuietStatsResender r = new QuietStatsResender();
        r.changed(sample("vm1", 1));
        assertThat(r.tick(e -> false)).isEmpty();
        assertThat(r.tracked()).isZero();
    }
}
