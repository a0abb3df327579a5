package io.acp.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which backups keep-last, keep-daily and keep-weekly keep, over sequences of dates (no clock is read). */
class BackupRetentionTest {

    private static Instant at(String t) {
        return Instant.parse(t);
    }

    /** A backup every {@code every} from {@code from}, {@code n} of them. */
    private static List<Instant> series(String from, Duration every, int n) {
        List<Instant> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(at(from).plus(every.multipliedBy(i)));
        }
        return out;
    }

    @Test
    void keepLastAloneKeepsTheNewest() {
        List<Instant> times = series("2026-11-01T02:00:00Z", Duration.ofDays(1), 10);
        assertThat(new BackupRetention(3, 0, 0).keep(times)).containsExactlyInAnyOrderElementsOf(times.subList(7, 10));
        assertThat(new BackupRetention(20, 0, 0).keep(times)).hasSize(10);
        assertThat(new BackupRetention(0, 0, 0).keep(times)).isEmpty();
    }

    @Test
    void keepDailyKeepsTheNewestOfEachDayAfterTheLast() {
        // every 6 hours for 5 days: 2026-12-01 00:00 .. 2026-12-05 18:00
        List<Instant> times = series("2026-12-01T00:00:00Z", Duration.ofHours(6), 20);
        var kept = new BackupRetention(2, 3, 0).keep(times);
        assertThat(kept).containsExactlyInAnyOrder(
                at("2026-12-05T18:00:00Z"), at("2026-12-05T12:00:00Z"), // last 2 (Dec 5 is now kept by them)
                at("2026-12-04T18:00:00Z"), at("2026-12-03T18:00:00Z"), at("2026-12-02T18:00:00Z")); // newest of the 3 days before
    }

    @Test
    void keepWeeklyKeepsTheNewestOfEachIsoWeekNotKeptAlready() {
        // daily at 02:00 for 5 weeks from Monday 2026-11-02; ISO weeks start on Monday
        List<Instant> times = series("2026-11-02T02:00:00Z", Duration.ofDays(1), 35);
        var kept = new BackupRetention(1, 2, 3).keep(times);
        assertThat(kept).containsExactlyInAnyOrder(
                at("2026-12-06T02:00:00Z"), // last: Sunday of week 49
                at("2026-12-05T02:00:00Z"), at("2026-12-04T02:00:00Z"), // daily: the 2 days before
                at("2026-11-29T02:00:00Z"), at("2026-11-22T02:00:00Z"), at("2026-11-15T02:00:00Z")); // weekly: Sundays of weeks 48, 47, 46
        assertThat(kept).doesNotContain(at("2026-11-08T02:00:00Z"));
    }

    @Test
    void aBackupPassedOverInADayAlreadyTakenIsNotKeptByALaterRule() {
        List<Instant> times = List.of(at("2026-12-07T10:00:00Z"), at("2026-12-07T08:00:00Z"), at("2026-12-01T09:00:00Z"));
        // daily takes Dec 7 10:00 and passes over Dec 7 08:00 (same day), then Dec 1; weekly finds every week kept already
        assertThat(new BackupRetention(0, 2, 5).keep(times)).containsExactlyInAnyOrder(at("2026-12-07T10:00:00Z"), at("2026-12-01T09:00:00Z"));
    }

    @Test
    void thePolicyCarriesItsRetentionAndRefusesNegativeCounts() {
        BackupPolicy p = new BackupPolicy("daily 02:00", 7, 14, 8, "vault");
        assertThat(p.retention()).isEqualTo(new BackupRetention(7, 14, 8));
        assertThat(p.toJson().toString()).isEqualTo("{\"schedule\":\"daily 02:00\",\"keep\":7,\"keepDaily\":14,\"keepWeekly\":8,\"to\":\"vault\"}");
        assertThatThrownBy(() -> new BackupRetention(1, -1, 0)).hasMessageContaining("must not be negative");
        assertThatThrownBy(() -> SystemSpec.parse("web1", SystemLifecycleTest.json("{\"vcpus\":1,\"memory\":64,\"backup\":{\"schedule\":\"every 6h\","
                + "\"keep\":1,\"keepWeekly\":-2,\"to\":\"vault\"}}"))).hasMessageContaining("keepDaily and keepWeekly must be from 0 to 1000, got 0 and -2");
    }
}
