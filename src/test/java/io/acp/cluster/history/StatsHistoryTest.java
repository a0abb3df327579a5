package io.acp.cluster.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.acp.model.ObjectKey;
import io.acp.model.ObjectType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The history store driven by a clock the test sets: sample times are chosen, not waited for. */
class StatsHistoryTest {

    /** A minute boundary, so minute and ten-minute steps line up with the samples. */
    private static final long T0 = 1_798_761_600_000L; // 2027-01-01T00:00:00Z
    private static final ObjectKey VM = ObjectKey.of(ObjectType.SYSTEM, "vm1");

    @TempDir
    Path dir;

    @Test
    void twoHoursAtOneSecondKeepTheLastHourAtOneSecondAndEveryMinuteAsItsAverage() {
        StatsHistory h = new StatsHistory("n1", 100);
        int seconds = 2 * 3600;
        for (int s = 0; s < seconds; s++) {
            h.add(VM, T0 + s * 1000L, Map.of("cpu", (double) s));
        }
        long now = T0 + (seconds - 1) * 1000L;

        HistoryPoints hour = only(h.query(VM, List.of("cpu"), HistoryRange.HOUR, now));
        assertThat(hour.size()).isEqualTo(3600);
        assertThat(hour.times()[0]).isEqualTo(T0 + 3600_000L);
        assertThat(hour.values()[0]).isEqualTo(3600f);
        assertThat(hour.times()[3599]).isEqualTo(now);
        assertThat(hour.values()[3599]).isEqualTo(7199f);

        HistoryPoints day = only(h.query(VM, List.of("cpu"), HistoryRange.DAY, now));
        assertThat(day.size()).isEqualTo(120);
        for (int m = 0; m < 120; m++) {
            assertThat(day.times()[m]).isEqualTo(T0 + m * 60_000L);
            // seconds 60m .. 60m+59 average to 60m + 29.5
            assertThat((double) day.values()[m]).isCloseTo(60 * m + 29.5, within(0.01));
        }

        HistoryPoints month = only(h.query(VM, List.of("cpu"), HistoryRange.MONTH, now));
        assertThat(month.size()).isEqualTo(12);
        for (int i = 0; i < 12; i++) {
            assertThat((double) month.values()[i]).isCloseTo(600 * i + 299.5, within(0.01));
        }
    }

    @Test
    void aMonthAndMoreAtOneMinuteKeepsThirtyDaysAtTenMinutesAndADayAtOneMinute() {
        StatsHistory h = new StatsHistory("n1", 100);
        int minutes = 31 * 24 * 60;
        for (int m = 0; m < minutes; m++) {
            h.add(VM, T0 + m * 60_000L, Map.of("mem", (double) (m % 10)));
        }
        long now = T0 + (minutes - 1) * 60_000L;
        HistoryPoints month = only(h.query(VM, List.of("mem"), HistoryRange.MONTH, now));
        assertThat(month.size()).isEqualTo(4320);
        assertThat(month.times()[0]).isEqualTo(T0 + 24 * 3600_000L);
        for (float v : month.values()) {
            assertThat((double) v).isCloseTo(4.5, within(0.001)); // 0..9 each ten minutes
        }
        assertThat(only(h.query(VM, List.of("mem"), HistoryRange.DAY, now)).size()).isEqualTo(1440);
        // one sample a minute: the last hour at 1 s holds 60 filled steps, not 3600
        assertThat(only(h.query(VM, List.of("mem"), HistoryRange.HOUR, now)).size()).isEqualTo(60);
    }

    @Test
    void memoryIsFixedPerSeriesAndTheSeriesBoundRefusesNewMetrics() {
        StatsHistory h = new StatsHistory("n1", 3);
        h.add(VM, T0, Map.of("a", 1.0, "b", 2.0));
        long perTwo = h.bytes();
        for (int s = 1; s < 5000; s++) {
            h.add(VM, T0 + s * 1000L, Map.of("a", 1.0, "b", 2.0));
        }
        assertThat(h.bytes()).isEqualTo(perTwo);
        assertThat(perTwo).isLessThan(2 * StatsHistory.BYTES_PER_SERIES + 3 * 9360 * Integer.BYTES + 200);

        h.add(ObjectKey.of(ObjectType.NODE, "n1"), T0, Map.of("c", 3.0, "d", 4.0, "e", 5.0));
        assertThat(h.seriesCount()).isEqualTo(3);
        assertThat(h.refused()).isEqualTo(2);
        assertThat(h.metrics(ObjectKey.of(ObjectType.NODE, "n1"))).hasSize(1);

        h.forget(VM);
        assertThat(h.seriesCount()).isEqualTo(1);
        assertThat(h.query(VM, null, HistoryRange.HOUR, T0)).isEmpty();
        // Which of c, d, e got the last place depends on Map.of's per-run order: add one it did not get.
        String kept = h.metrics(ObjectKey.of(ObjectType.NODE, "n1")).iterator().next();
        String other = kept.equals("c") ? "d" : "c";
        h.add(ObjectKey.of(ObjectType.NODE, "n1"), T0 + 1000, Map.of(other, 4.0));
        assertThat(h.seriesCount()).isEqualTo(2);
    }

    @Test
    void aSampleOlderThanARangesCurrentStepIsIgnoredThereAndNonFiniteValuesEverywhere() {
        StatsHistory h = new StatsHistory("n1", 10);
        h.add(VM, T0 + 10_000, Map.of("cpu", 1.0));
        h.add(VM, T0 + 5_000, Map.of("cpu", 100.0));
        h.add(VM, T0 + 11_000, Map.of("cpu", Double.NaN));
        HistoryPoints hour = only(h.query(VM, null, HistoryRange.HOUR, T0 + 11_000));
        assertThat(hour.values()).containsExactly(1f);
        // In the minute ring both samples fall into the minute being filled: they average.
        assertThat(only(h.query(VM, null, HistoryRange.DAY, T0 + 11_000)).values()).containsExactly(50.5f);
    }

    @Test
    void aSnapshotReloadsIntoAFreshStoreWithEveryRangeAndKeepsFillingTheCurrentStep() throws Exception {
        StatsHistory h = new StatsHistory("n1", 10);
        for (int s = 0; s < 2 * 3600 + 30; s++) {
            h.add(VM, T0 + s * 1000L, Map.of("cpu", (double) s, "mem", 1e11 + s));
        }
        h.add(ObjectKey.of(ObjectType.NODE, "n1"), T0, Map.of("load", 0.5));
        Path file = HistoryKeeper.file(dir);
        long bytes = HistorySnapshot.save(h, file);
        assertThat(bytes).isPositive();
        assertThat(Files.exists(file.resolveSibling("stats.bin.tmp"))).isFalse();

        StatsHistory restarted = new StatsHistory("n1", 10);
        HistorySnapshot.load(file, restarted);
        long now = T0 + (2 * 3600 + 29) * 1000L;
        assertThat(restarted.seriesCount()).isEqualTo(3);
        for (HistoryRange r : HistoryRange.values()) {
            List<HistoryPoints> before = h.query(VM, null, r, now);
            List<HistoryPoints> after = restarted.query(VM, null, r, now);
            assertThat(after).hasSize(2);
            for (int i = 0; i < 2; i++) {
                assertThat(after.get(i).metric()).isEqualTo(before.get(i).metric());
                assertThat(after.get(i).times()).containsExactly(before.get(i).times());
                assertThat(after.get(i).values()).containsExactly(before.get(i).values());
            }
        }
        // The minute in progress (30 samples, 0..29 past 2 h) keeps averaging after the reload.
        for (int s = 30; s < 60; s++) {
            restarted.add(VM, T0 + (2 * 3600 + s) * 1000L, Map.of("cpu", (double) (2 * 3600 + s)));
        }
        HistoryPoints day = only(restarted.query(VM, List.of("cpu"), HistoryRange.DAY, T0 + (2 * 3600 + 59) * 1000L));
        assertThat((double) day.values()[day.size() - 1]).isCloseTo(2 * 3600 + 29.5, within(0.01));
    }

    @Test
    void aDamagedSnapshotIsRefusedWithItsName() throws Exception {
        Path file = dir.resolve("stats.bin");
        Files.write(file, new byte[] {1, 2, 3});
        StatsHistory h = new StatsHistory("n1", 10);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HistorySnapshot.load(file, h))
                .isInstanceOf(java.io.IOException.class);
        assertThat(h.seriesCount()).isZero();
    }

    private static HistoryPoints only(List<HistoryPoints> points) {
        assertThat(points).hasSize(1);
        return points.get(0);
    }
}
